import {
  type Token as IssuedToken,
  TOKEN_SECRET_DESCRIPTION,
  type TokenSummary,
} from "@tokenspace/contract";
import { NotFoundError, ValidationError } from "../errors.js";
import type { CredentialCache } from "./credential-cache.js";
import { newId, normalizeId } from "./identifiers.js";
import type { Keyring } from "./keyring.js";
import { type Page, readPage } from "./keyset-page.js";
import type { PageCursor } from "./page-cursor.js";
import type { NewTokenRecord, Store, TokenRecord } from "./store.js";
import { type TokenChanges, validateTokenChanges } from "./token-fields.js";
import { generateSecret, isWellFormedSecret } from "./token-secret.js";
import { invalidParameter } from "./validation-problem.js";

/**
 * A token as its owner sees it after create, update or get (with the secret): the contract's
 * shape, defined there once.
 */
export type { IssuedToken };

export interface NewToken {
  readonly name?: string;
  readonly permissions?: readonly string[];
  readonly subprojectId?: string;
}

/** The Tokens API's rules, shared by every surface and the CLI. */
export class TokenService {
  constructor(
    private readonly store: Store,
    private readonly keyring: Keyring,
    private readonly cache: CredentialCache,
  ) {}

  /**
   * Issues a new token. `presetSecret` lets the operator fix the secret (bootstrap
   * configuration); otherwise a fresh one is generated.
   */
  async create(projectId: string, input: NewToken, presetSecret?: string): Promise<IssuedToken> {
    const fields = validateTokenChanges(input, "create");
    const owner =
      input.subprojectId === undefined
        ? projectId
        : await this.#subprojectOf(projectId, input.subprojectId);
    const secret = presetSecret ?? generateSecret();
    const record = await this.store.insertToken(this.#newRecord(owner, fields, secret, new Date()));
    if (presetSecret !== undefined) this.cache.learnedChosenSecret();
    return issued(record, secret);
  }

  /**
   * Stores many tokens with known secrets in one write, all or none: for moving tokens over
   * from elsewhere, and for seeding large stores. Each is validated like a create. Returns
   * the new tokens' ids, in order.
   */
  async importTokens(
    projectId: string,
    tokens: readonly {
      readonly name: string;
      readonly permissions: readonly string[];
      readonly secret: string;
    }[],
  ): Promise<string[]> {
    const now = new Date();
    const records = tokens.map((token) => {
      const fields = validateTokenChanges(token, "create");
      if (!isWellFormedSecret(token.secret)) {
        throw new ValidationError([invalidParameter("token", TOKEN_SECRET_DESCRIPTION)]);
      }
      return this.#newRecord(projectId, fields, token.secret, now);
    });
    await this.store.insertTokens(records);
    this.cache.learnedChosenSecret();
    return records.map((record) => record.id);
  }

  /** The token a secret belongs to, if any. */
  async findBySecret(secret: string): Promise<TokenRecord | undefined> {
    if (!isWellFormedSecret(secret)) return undefined;
    return this.keyring.find(secret, (digest) => this.store.findTokenByDigest(digest));
  }

  /** A token with its secret, from memory while nothing changed it (see CredentialCache). */
  async get(projectId: string, tokenId: string): Promise<IssuedToken> {
    const id = normalizeId(tokenId);
    const cached = this.cache.revealed(projectId, id);
    if (cached) return cached;
    const generation = this.cache.generation;
    const record = await this.store.findToken(projectId, id);
    if (!record) throw tokenNotFound(tokenId);
    const token = this.#reveal(record);
    this.cache.rememberRevealed(projectId, record.secretDigest, token, generation);
    return token;
  }

  async update(projectId: string, tokenId: string, changes: TokenChanges): Promise<IssuedToken> {
    const fields = validateTokenChanges(changes, "update");
    const record = await this.store.updateToken(projectId, normalizeId(tokenId), {
      ...fields,
      updatedAt: new Date(),
    });
    if (!record) throw tokenNotFound(tokenId);
    this.cache.invalidate(record.secretDigest);
    return this.#reveal(record);
  }

  async delete(projectId: string, tokenId: string): Promise<void> {
    const record = await this.store.deleteToken(projectId, normalizeId(tokenId));
    if (!record) throw tokenNotFound(tokenId);
    this.cache.invalidate(record.secretDigest);
  }

  async list(
    projectId: string,
    pageSize: number,
    cursor: PageCursor | undefined,
  ): Promise<Page<TokenSummary>> {
    const page = await readPage(
      (window) => this.store.listTokens(projectId, window),
      pageSize,
      cursor,
    );
    return { ...page, items: page.items.map(summary) };
  }

  /** A new token's record: a fresh id, and its secret sealed under the primary key. */
  #newRecord(
    projectId: string,
    fields: ReturnType<typeof validateTokenChanges>,
    secret: string,
    now: Date,
  ): NewTokenRecord {
    const id = newId();
    const sealed = this.keyring.seal(secret, id);
    return {
      id,
      projectId,
      name: fields.name ?? "",
      permissions: fields.permissions ?? [],
      secretDigest: sealed.digest,
      sealedSecret: sealed.sealed,
      createdAt: now,
      updatedAt: now,
    };
  }

  async #subprojectOf(projectId: string, subprojectId: string): Promise<string> {
    const subproject = await this.store.findProject(normalizeId(subprojectId));
    if (!subproject || subproject.parentId !== projectId) {
      throw new ValidationError([
        {
          code: "invalid_subproject_id",
          attribute: "subproject_id",
          message: `subproject_id ${subprojectId} is not a subproject of project ${projectId}. Use the sid of one of this project's subprojects, or leave subproject_id out to create the token for this project.`,
        },
      ]);
    }
    return subproject.id;
  }

  #reveal(record: TokenRecord): IssuedToken {
    return issued(record, this.keyring.open(record.sealedSecret, record.id));
  }
}

function issued(record: TokenRecord, secret: string): IssuedToken {
  return { ...summary(record), token: secret };
}

function summary(record: TokenRecord): TokenSummary {
  return { id: record.id, name: record.name, permissions: record.permissions };
}

function tokenNotFound(tokenId: string): NotFoundError {
  return new NotFoundError(`No API token with id ${tokenId} exists in this project.`);
}
