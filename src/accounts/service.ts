// Accounts registered by hand: checks that need the database (known phone, unique name per platform).
import { type Static, Type as T } from "@sinclair/typebox";
import { bareUsername, literalUnion, PLATFORMS, type Platform } from "../domain.ts";
import { AppError, Code } from "../errors.ts";
import type { AccountFilter, AccountStore, AccountWithDevice } from "../store/accounts.ts";
import type { DeviceStore } from "../store/devices.ts";

export type { AccountWithDevice };

const Tags = T.Array(T.String({ minLength: 1, maxLength: 50 }), { maxItems: 50 });

const fields = {
  username: T.String({ minLength: 1, maxLength: 100, description: "without or with the leading @" }),
  platform: literalUnion(PLATFORMS),
  device: T.String({ minLength: 1, description: "serial of a phone the service has seen" }),
  packagename: T.Optional(
    T.Union([T.String({ minLength: 1 }), T.Null()], { description: "null = the default app" }),
  ),
  email: T.Optional(T.Union([T.String({ maxLength: 200 }), T.Null()])),
  password: T.Optional(
    T.Union([T.String({ maxLength: 500 }), T.Null()], {
      description: "kept encrypted (DATA_DIR/secret.key), never returned",
    }),
  ),
  logined: T.Optional(T.Integer({ minimum: 0, maximum: 1, description: "1 logged in (default), 0 not" })),
  status: T.Optional(T.Integer({ minimum: 0, maximum: 1, description: "1 enabled (default), 0 disabled" })),
  tags: T.Optional(Tags),
};

export const NewAccountBody = T.Object(fields, { additionalProperties: false });
export const AccountChangeBody = T.Partial(T.Object(fields), {
  additionalProperties: false,
  minProperties: 1,
});

type NewAccountInput = Static<typeof NewAccountBody>;
type AccountChangeInput = Static<typeof AccountChangeBody>;

export class AccountService {
  constructor(
    private readonly accounts: AccountStore,
    private readonly devices: DeviceStore,
  ) {}

  list(filter: AccountFilter, page: number, pageSize: number) {
    return this.accounts.list(filter, page, pageSize);
  }

  async get(id: number): Promise<AccountWithDevice> {
    const account = await this.accounts.get(id);
    if (!account) throw new AppError(Code.notFound, `account ${id} not found`);
    return account;
  }

  private async checkDevice(serial: string): Promise<void> {
    if ((await this.devices.unknown([serial])).length > 0) {
      throw AppError.invalid(`device: unknown device '${serial}'`, [
        { path: "/device", message: `unknown device '${serial}'` },
      ]);
    }
  }

  private async checkUnique(username: string, platform: Platform, exceptId?: number): Promise<void> {
    const clash = (await this.accounts.findByUsernames([username], platform)).find((a) => a.id !== exceptId);
    if (clash) {
      throw new AppError(
        Code.conflict,
        `${platform} account @${clash.username} exists already (id ${clash.id})`,
      );
    }
  }

  async create(input: NewAccountInput): Promise<AccountWithDevice> {
    const username = bareUsername(input.username);
    if (!username) throw AppError.invalid("username: empty");
    await this.checkDevice(input.device);
    await this.checkUnique(username, input.platform);
    const id = await this.accounts.create({
      username,
      platform: input.platform,
      device: input.device,
      packagename: input.packagename ?? null,
      email: input.email ?? null,
      password: input.password ?? null,
      logined: input.logined ?? 1,
      status: input.status ?? 1,
      tags: JSON.stringify([...new Set(input.tags ?? [])]),
    });
    return this.get(id);
  }

  async update(id: number, input: AccountChangeInput): Promise<AccountWithDevice> {
    const current = await this.get(id);
    const username = input.username === undefined ? current.username : bareUsername(input.username);
    if (!username) throw AppError.invalid("username: empty");
    const platform = input.platform ?? current.platform;
    if (input.device !== undefined) await this.checkDevice(input.device);
    await this.checkUnique(username, platform, id);
    const { tags, ...rest } = input;
    await this.accounts.update(id, {
      ...rest,
      username,
      ...(tags === undefined ? {} : { tags: JSON.stringify([...new Set(tags)]) }),
    });
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    if (!(await this.accounts.delete(id))) throw new AppError(Code.notFound, `account ${id} not found`);
  }
}
