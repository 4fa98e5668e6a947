/** API keys: list (never their tokens), create (the token is shown once), revoke. */
import { listKeys } from "../../db/queries/keys.ts";
import { NewKeySchema } from "../schemas.ts";
import { createKey, keyJson, revokeKey } from "../service/keys.ts";
import { idParam, ResourceRoutes, type RouteContext } from "./kit.ts";

export function keyRoutes({ db, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/keys", summary: "List API keys (never their tokens)", action: "key:manage", success: 200, returns: "array" }, async (c) => {
    return c.json((await listKeys(db.client)).map(keyJson));
  });

  routes.add(
    { method: "post", path: "/keys", summary: "Create an API key; the token is shown once", action: "key:manage", body: NewKeySchema, success: 201 },
    async (c, body, raw) =>
      write(
        c,
        raw,
        201,
        () => null,
        async (ctx) => {
          const { key, token } = await createKey(ctx, body.name, body.role);
          return { ...keyJson(key), token };
        },
        // The token is shown once and never stored: a replay answers with the key and token null.
        (result) => ({ ...(result as object), token: null }),
      ),
  );

  routes.add({ method: "delete", path: "/keys/:id", summary: "Revoke an API key", action: "key:manage", success: 200 }, async (c) => {
    const id = idParam(c, "API key");
    return write(c, "", 200, () => null, async (ctx) => keyJson(await revokeKey(ctx, id)));
  });

  return routes;
}
