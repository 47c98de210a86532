import { forbidden, notFound, requirePermission } from '@espresso/runtime';
import type { Identity, QrCodeResponse } from '@espresso/schemas';
import { bucketEnd, bucketOf, newCode } from '../domain/qr';
import type { Ports } from './ports';

/** The display's current code: created once per time bucket, the same for every display. */
export const getQrCode = async (
  ports: Pick<Ports, 'shops' | 'qrCodes' | 'now'>,
  identity: Identity,
  shopId: string,
): Promise<QrCodeResponse> => {
  requirePermission(identity, 'qr.show', shopId);
  const shop = await ports.shops.get(shopId);
  if (!shop) throw notFound(`shop ${shopId} does not exist`);
  const now = ports.now().getTime();
  const { codeTtlSeconds, ordersPerCode } = shop.limits;
  const bucket = bucketOf(now, codeTtlSeconds);
  const end = bucketEnd(bucket, codeTtlSeconds);
  const stored = await ports.qrCodes.createOrGet({
    shopId,
    bucket,
    code: newCode(),
    expiresAt: new Date(end).toISOString(),
    remaining: ordersPerCode,
    ttl: Math.ceil(end / 1000) + 3600,
  });
  if (!stored) throw forbidden('no code');
  return { code: stored.code, expiresAt: stored.expiresAt, remaining: stored.remaining };
};
