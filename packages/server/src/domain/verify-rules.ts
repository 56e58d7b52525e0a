import { ConfigError } from "./errors.js";
import { isPermission, type Permission } from "./permissions.js";

/** One line of a rules file: requests with this method under this path need these permissions. */
interface VerifyRule {
  /** An HTTP method in capitals, or `*` for any. */
  readonly method: string;
  readonly pathPrefix: string;
  readonly permissions: readonly Permission[];
}

/**
 * What a forward-auth request needs, by the method and path it guards: the rule with the
 * longest matching path prefix wins (an exact method before `*`). A path no rule covers needs
 * only a token that verifies.
 */
export class VerifyRules {
  private constructor(private readonly rules: readonly VerifyRule[]) {}

  /**
   * Reads rules, one a line: `METHOD PATH-PREFIX PERMISSION[,PERMISSION…]`, e.g.
   * `POST /messages messaging`; `#` starts a comment. A line that does not parse stops the
   * start, naming the line.
   */
  static parse(text: string, source: string): VerifyRules {
    const rules: VerifyRule[] = [];
    text.split(/\r?\n/).forEach((raw, index) => {
      const line = raw.replace(/#.*/, "").trim();
      if (line === "") return;
      const where = `${source} line ${index + 1}`;
      const [method, pathPrefix, permissions, ...rest] = line.split(/\s+/);
      if (!method || !pathPrefix || !permissions || rest.length > 0) {
        throw new ConfigError(
          `${where}: expected "METHOD PATH-PREFIX PERMISSION[,PERMISSION...]", e.g. "POST /messages messaging"; got "${line}".`,
        );
      }
      if (!/^(\*|[A-Za-z]+)$/.test(method)) {
        throw new ConfigError(`${where}: "${method}" is not an HTTP method or *.`);
      }
      if (!pathPrefix.startsWith("/")) {
        throw new ConfigError(`${where}: the path prefix "${pathPrefix}" must start with /.`);
      }
      const names = permissions.split(",").filter(Boolean);
      const unknown = names.find((name) => !isPermission(name));
      if (unknown !== undefined || names.length === 0) {
        throw new ConfigError(
          `${where}: "${unknown ?? permissions}" is not a permission; use one or more of the eleven, comma-separated.`,
        );
      }
      rules.push({
        method: method.toUpperCase(),
        pathPrefix,
        permissions: names.filter(isPermission),
      });
    });
    return new VerifyRules(rules);
  }

  /** The permissions a request with this method and path needs, by the best matching rule. */
  required(method: string | undefined, path: string | undefined): readonly Permission[] {
    if (path === undefined) return [];
    const wanted = (method ?? "").toUpperCase();
    let best: VerifyRule | undefined;
    for (const rule of this.rules) {
      if (rule.method !== "*" && rule.method !== wanted) continue;
      if (!path.startsWith(rule.pathPrefix)) continue;
      const longer = !best || rule.pathPrefix.length > best.pathPrefix.length;
      const sameButExact =
        best && rule.pathPrefix.length === best.pathPrefix.length && best.method === "*";
      if (longer || sameButExact) best = rule;
    }
    return best?.permissions ?? [];
  }
}
