import { HttpClient } from "./http-client.js";
import type { TestServer } from "./test-server.js";

export const COMPAT = "/api/laml/2010-04-01";

/** Compatibility API paths for one project, and a client authenticated as its bootstrap token. */
export function compatClient(server: TestServer) {
  const http = new HttpClient(server.url, { username: server.projectId, password: server.token });
  const tokens = (projectId = server.projectId) => `${COMPAT}/Accounts/${projectId}/tokens`;
  const token = (id: string, projectId = server.projectId) => `${tokens(projectId)}/${id}`;
  return {
    http,
    tokens,
    token,
    /** Creates a token with the bootstrap credentials and returns the response body. */
    async createToken(name: string, permissions: string[]) {
      const response = await http.request("POST", tokens(), { json: { name, permissions } });
      if (response.status !== 200)
        throw new Error(`create failed: ${response.status} ${response.text}`);
      return response.body as { id: string; name: string; permissions: string[]; token: string };
    },
  };
}
