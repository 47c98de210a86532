import { type WebConfig, WebConfigSchema } from '@espresso/schemas';

/** Reads and checks `/config.json`, the app's only source of endpoints (one per stage). */
export const loadWebConfig = async (): Promise<WebConfig> => {
  const response = await fetch('/config.json', { cache: 'no-store' });
  if (!response.ok) throw new Error(`/config.json answered HTTP ${response.status}`);
  const parsed = WebConfigSchema.safeParse(await response.json().catch(() => undefined));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`/config.json is not valid: ${issue?.path.join('.')} ${issue?.message}`);
  }
  return parsed.data;
};
