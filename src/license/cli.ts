// `farm-tasks license keygen|issue`: the vendor's tools, run on the vendor's machine.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateVendorKeys, issueLicense, PAID_PLANS, type PlanName } from "./license.ts";

const HELP = `usage:
  farm-tasks license keygen --out-dir DIR
      writes DIR/license-private.pem (keep it secret, off the farm PCs) and DIR/license-public.pem
      (build with it: FARM_VENDOR_PUBLIC_KEY=DIR/license-public.pem npm run build:all)
  farm-tasks license issue --key PRIVATE.pem --plan Starter|Pro|Team|Business --licensee NAME
                           [--expires YYYY-MM-DD] [--out FILE]
      signs a license (default FILE: ./license.json); the customer puts it in the data folder as
      license.json (or names it with --license FILE)`;

export function runLicenseCommand(argv: string[]): number {
  const fail = (message: string) => {
    console.error(`farm-tasks license: ${message}\n${HELP}`);
    return 2;
  };
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        "out-dir": { type: "string" },
        key: { type: "string" },
        plan: { type: "string" },
        licensee: { type: "string" },
        expires: { type: "string" },
        out: { type: "string" },
        help: { type: "boolean" },
      },
    }));
  } catch (e) {
    return fail((e as Error).message);
  }
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const [command] = positionals;
  if (command === "keygen") {
    const dir = values["out-dir"];
    if (typeof dir !== "string") return fail("--out-dir is required");
    mkdirSync(dir, { recursive: true });
    const privatePath = join(dir, "license-private.pem");
    if (existsSync(privatePath)) return fail(`${privatePath} exists already; not overwriting a signing key`);
    const { privateKey, publicKey } = generateVendorKeys();
    writeFileSync(privatePath, privateKey, { mode: 0o600 });
    writeFileSync(join(dir, "license-public.pem"), publicKey);
    console.log(`wrote ${privatePath} and ${join(dir, "license-public.pem")}`);
    return 0;
  }
  if (command === "issue") {
    const { key, plan, licensee, expires } = values;
    if (typeof key !== "string") return fail("--key is required");
    if (typeof plan !== "string" || !(PAID_PLANS as readonly string[]).includes(plan)) {
      return fail(`--plan must be one of ${PAID_PLANS.join(", ")}`);
    }
    if (typeof licensee !== "string" || !licensee.trim()) return fail("--licensee is required");
    let expiresAt: string | null = null;
    if (typeof expires === "string") {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || Number.isNaN(Date.parse(expires))) {
        return fail(`--expires "${expires}" is not a date YYYY-MM-DD`);
      }
      expiresAt = new Date(`${expires}T23:59:59.999Z`).toISOString();
    }
    if (!existsSync(key)) return fail(`key file ${key} not found`);
    const keyText = readFileSync(key, "utf8");
    const license = issueLicense(keyText, {
      plan: plan as PlanName,
      licensee: licensee.trim(),
      expires_at: expiresAt,
      issued_at: new Date().toISOString(),
    });
    const out = typeof values.out === "string" ? values.out : "license.json";
    writeFileSync(out, `${JSON.stringify(license, null, 2)}\n`);
    console.log(
      `wrote ${out}: ${plan} for ${licensee.trim()}${expiresAt ? `, expires ${expiresAt}` : ""}, signed with key ${license.key_id}`,
    );
    if (keyText.includes("TEST-ONLY"))
      console.log("note: this is the TEST-ONLY key; only test builds accept it");
    return 0;
  }
  return fail(command ? `unknown command "${command}"` : "missing command");
}
