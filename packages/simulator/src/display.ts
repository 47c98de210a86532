import { QrCodeResponseSchema } from '@espresso/schemas';
import type { OrdersApi } from './api';

/** A code about to expire this soon (ms) is fetched again before it is used. */
const EXPIRY_MARGIN_MS = 2000;

/**
 * The display's QR code, shared by every customer: fetched when first used, when about to
 * expire, and again when the API says it is used up. Fetches at the same time share one request.
 */
export class QrDisplay {
  #code: { code: string; expiresAt: number } | undefined;
  #fetching: Promise<void> | undefined;

  constructor(
    readonly api: OrdersApi,
    readonly token: string,
  ) {}

  /** Fetches a fresh code (joining a fetch under way). */
  refresh(): Promise<void> {
    this.#fetching ??= this.#fetch().finally(() => {
      this.#fetching = undefined;
    });
    return this.#fetching;
  }

  /** The code to redeem now. */
  async current(): Promise<string> {
    if (!this.#code || this.#code.expiresAt - Date.now() < EXPIRY_MARGIN_MS) await this.refresh();
    return (this.#code as { code: string }).code;
  }

  async #fetch(): Promise<void> {
    const res = await this.api.qrCode(this.token);
    if (res.status !== 200) throw new Error(`QR code: ${res.status} ${JSON.stringify(res.body)}`);
    const qr = QrCodeResponseSchema.parse(res.body);
    this.#code = { code: qr.code, expiresAt: Date.parse(qr.expiresAt) };
  }
}
