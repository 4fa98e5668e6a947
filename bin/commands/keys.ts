/**
 * `herald keys …`: API keys, made and revoked on the local database (DATABASE_URL) rather than over
 * HTTP, so the very first admin key can be made before any key exists (see bin/local-keys.ts).
 */
import { ROLES, type Role } from "../../domain/roles.ts";
import { choice, noMoreArgs, requireArg, requireOption } from "../arguments.ts";
import { UsageError, type Command, type CommandGroup } from "../command.ts";
import * as fmt from "../format.ts";
import { createKeyLocally, listKeysLocally, revokeKeyLocally } from "../local-keys.ts";

const commands: Command[] = [
  {
    name: "keys create",
    synopsis: "--name NAME --role admin|comms",
    summary: "Create an API key in the local database; prints only the token, which is shown once.",
    example: 'export HERALD_TOKEN=$(herald keys create --name "Cole (comms)" --role comms)',
    options: ["name", "role"],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const name = requireOption(ctx.values, "name", "NAME (who or what uses the key)");
      const role = choice<Role>(requireOption(ctx.values, "role", "admin|comms"), ROLES, "role");
      const { NewKeySchema } = await import("../../api/schemas.ts");
      const checked = NewKeySchema.safeParse({ name, role });
      if (!checked.success) throw new UsageError(checked.error.issues.map((i) => i.message).join("; "));
      const { key, token } = await createKeyLocally(ctx.database(), checked.data.name, checked.data.role);
      if (ctx.values.json) {
        ctx.print(JSON.stringify({ ...key, token }, null, 2));
        return;
      }
      ctx.io.err(`Created ${key.role} key ${key.id} "${key.name}". The token below is shown once: store it now.`);
      ctx.print(token);
    },
  },
  {
    name: "keys list",
    synopsis: "",
    summary: "List API keys in the local database (never their tokens).",
    example: "herald keys list",
    options: [],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const keys = await listKeysLocally(ctx.database());
      if (ctx.values.json) return ctx.print(JSON.stringify(keys, null, 2));
      if (keys.length === 0) return ctx.print("No API keys. Create one with: herald keys create --name NAME --role admin");
      ctx.print(
        fmt.table(
          ["ID", "NAME", "ROLE", "CREATED", "REVOKED", "LAST USED"],
          keys.map((k) => [k.id, k.name, k.role, fmt.formatTime(k.created_at), fmt.formatTime(k.revoked_at), fmt.formatTime(k.last_used_at)]),
        ),
      );
    },
  },
  {
    name: "keys revoke",
    synopsis: "ID",
    summary: "Revoke an API key in the local database; its token stops working at once.",
    example: "herald keys revoke a1b2c3d4e5f6",
    options: [],
    api: false,
    async run(ctx) {
      const id = requireArg(ctx, 0, "key id (see: herald keys list)");
      noMoreArgs(ctx, 1);
      const { key, alreadyRevoked } = await revokeKeyLocally(ctx.database(), id);
      if (ctx.values.json) return ctx.print(JSON.stringify(key, null, 2));
      ctx.print(
        alreadyRevoked
          ? `Key ${key.id} "${key.name}" was already revoked (${fmt.formatTime(key.revoked_at)}).`
          : `Revoked ${key.role} key ${key.id} "${key.name}".`,
      );
    },
  },
];

export const keysCommands: CommandGroup = {
  word: "keys",
  title: "API keys (local database: DATABASE_URL, default the project's data/herald.db as npm start uses; DATABASE_AUTH_TOKEN for libsql://)",
  commands,
};
