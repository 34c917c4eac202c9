// /api/v1/accounts: the accounts on the phones. Passwords go in, never out.
import { Type as T } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { AccountChangeBody, type AccountService, NewAccountBody } from "../accounts/service.ts";
import { literalUnion, PLATFORMS } from "../domain.ts";
import { Code, doc, ok, Page, paged, pageQuery } from "./envelope.ts";
import { Id, WholeNumber } from "./params.ts";
import { AccountRef, accountView, EXAMPLE_ACCOUNT } from "./views.ts";

const tags = ["accounts"];
const IdParams = T.Object({ id: Id("the account's id") });

export function accountRoutes(accounts: AccountService) {
  return new Elysia({ prefix: "/api/v1/accounts" })
    .get(
      "",
      ({ query }) => paged("accounts", query, (page, size) => accounts.list(query, page, size), accountView),
      {
        query: t.Object({
          platform: t.Optional(literalUnion(PLATFORMS)),
          device: t.Optional(t.String({ minLength: 1, description: "serial" })),
          logined: T.Optional(WholeNumber({ minimum: 0, maximum: 1, description: "1 logged in, 0 not" })),
          status: T.Optional(WholeNumber({ minimum: 0, maximum: 1, description: "1 enabled, 0 disabled" })),
          tag: t.Optional(t.String({ minLength: 1 })),
          ...pageQuery,
        }),
        ...doc({
          summary: "List accounts",
          description:
            "Filters combine with AND; `device` is a phone's serial, `tag` one of the account's tags.",
          tags,
          data: Page("accounts", AccountRef),
          example: { accounts: [EXAMPLE_ACCOUNT], total: 1, page: 1, page_size: 20 },
          errors: [Code.invalid],
        }),
      },
    )
    .post("", async ({ body }) => ok(accountView(await accounts.create(body))), {
      body: NewAccountBody,
      ...doc({
        summary: "Register an account by hand",
        description:
          "So that username mode can be used before accounts are discovered on the phones. " +
          "The device must be a phone the service has seen; a username is unique per platform.",
        tags,
        data: AccountRef,
        example: EXAMPLE_ACCOUNT,
        errors: [Code.invalid, Code.conflict],
      }),
    })
    .put("/:id", async ({ params, body }) => ok(accountView(await accounts.update(params.id, body))), {
      params: IdParams,
      body: AccountChangeBody,
      ...doc({
        summary: "Change an account",
        description:
          "Only the fields given change. Moving it to another phone needs a phone the service has seen; " +
          "a username taken on the same platform → 40901.",
        tags,
        data: AccountRef,
        example: EXAMPLE_ACCOUNT,
        errors: [Code.invalid, Code.notFound, Code.conflict],
      }),
    })
    .delete(
      "/:id",
      async ({ params }) => {
        await accounts.delete(params.id);
        return ok({ deleted: true });
      },
      {
        params: IdParams,
        ...doc({
          summary: "Delete an account",
          description: "Tasks already created for it keep running as created.",
          tags,
          data: T.Object({ deleted: T.Literal(true) }),
          example: { deleted: true },
          errors: [Code.invalid, Code.notFound],
        }),
      },
    );
}
