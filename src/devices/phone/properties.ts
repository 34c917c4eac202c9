/** What a phone is: the facts read from its properties, `wm size` and `dumpsys battery`. */

export interface ScreenSize {
  width: number;
  height: number;
}

export interface PhoneDetails {
  /** `ro.serialno`: who the phone is, wherever it is reached. */
  hardware_serial: string | null;
  model: string | null;
  brand: string | null;
  android_version: string | null;
  sdk: number | null;
  screen: ScreenSize | null;
  battery: number | null;
}

/** `wm size` → the size apps see (override when set, else physical). */
export function parseWmSize(output: string): ScreenSize | null {
  const pick = (label: string) => new RegExp(`${label} size:\\s*(\\d+)x(\\d+)`).exec(output);
  const m = pick("Override") ?? pick("Physical");
  return m ? { width: Number(m[1]), height: Number(m[2]) } : null;
}

/** `dumpsys battery` → percent (level/scale), or null. */
export function parseBattery(output: string): number | null {
  const level = /^\s*level:\s*(\d+)/m.exec(output);
  if (!level) return null;
  const scale = /^\s*scale:\s*(\d+)/m.exec(output);
  const s = scale ? Number(scale[1]) : 100;
  return s > 0 ? Math.round((Number(level[1]) * 100) / s) : Number(level[1]);
}
