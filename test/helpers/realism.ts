/**
 * How real the tests' virtual phones are, for the flow tests (phone's clock) and the e2e tests (the compiled
 * executable, real time) alike: realistic by default (screen changes take time, the keyboard covers the lower
 * screen, the feed's dumps fail now and then, Google's permission dialog, hashtag suggestions, the share
 * chooser, an unlabelled Create…). FARM_SIM_REALISTIC=0 turns it off; a JSON object sets knobs, e.g.
 * `FARM_SIM_REALISTIC='{"tapsDuringChange":"lost","keyboardCoversBottom":false}'`, to try a flow both ways.
 * Success texts are as on a real phone: a toast (never in a dump) or shown for a moment; a post is proven on
 * the account's profile.
 */
import { type RealismOptions, VirtualPhone, type VirtualPhoneOptions } from "@farm/virtual-phone";

export const SIM_REALISM: RealismOptions | false = simRealism(process.env.FARM_SIM_REALISTIC);
export const SIM_REALISTIC = SIM_REALISM !== false;

function simRealism(env: string | undefined): RealismOptions | false {
  if (env === "0") return false;
  // a fixed seed: the same change times and failing dumps on every run
  const base: RealismOptions = { seed: 25 };
  if (env === undefined || env === "" || env === "1") return base;
  return { ...base, ...(JSON.parse(env) as RealismOptions) };
}

/**
 * A virtual phone for an e2e test, as real as SIM_REALISM; `realism` overrides knobs for one file (e.g.
 * shorter screen changes where many posts run in real time).
 */
export function startRealisticPhone(
  options: VirtualPhoneOptions = {},
  realism: RealismOptions = {},
): Promise<VirtualPhone> {
  return VirtualPhone.start({ ...options, realistic: SIM_REALISM && { ...SIM_REALISM, ...realism } });
}

/** The demo's phones as real as SIM_REALISM (the demo seeds each phone from its fixed serial). */
export const DEMO_REALISM: string[] = SIM_REALISTIC ? ["--realistic"] : [];
