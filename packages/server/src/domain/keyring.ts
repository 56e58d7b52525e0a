import type { DigestForm, SecretDigests, SecretVault } from "./secret-vault.js";
import type { SealedSecret } from "./store.js";

/**
 * The server keys a node holds, the one it seals with first. Outside a key rotation it holds
 * one; during a rotation it holds the new key (primary: everything written is sealed under
 * it) and the previous one, and a secret is looked for under each.
 */
export class Keyring {
  #vaults: readonly [SecretVault, ...SecretVault[]];

  constructor(primary: SecretVault) {
    this.#vaults = [primary];
  }

  get primary(): SecretVault {
    return this.#vaults[0];
  }

  get vaults(): readonly SecretVault[] {
    return this.#vaults;
  }

  /** Whether a rotation is under way (two keys are held). */
  get rotating(): boolean {
    return this.#vaults.length > 1;
  }

  use(vaults: readonly [SecretVault, ...SecretVault[]]): void {
    this.#vaults = vaults;
  }

  /**
   * Looks a secret up by its digest under each held key, the primary's first. During a rotation
   * a row can move from the old key's digest to the new one's between two lookups, so a miss
   * under every key is looked up once more: a row moves only once.
   */
  async find<T>(
    secret: string,
    lookup: (digests: SecretDigests, vault: SecretVault) => Promise<T | undefined>,
  ): Promise<T | undefined> {
    const passes = this.rotating ? 2 : 1;
    for (let pass = 0; pass < passes; pass++) {
      for (const vault of this.#vaults) {
        const found = await lookup(vault.lookupDigests(secret), vault);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /** A secret sealed under the primary key, bound to what it belongs to. */
  seal(secret: string, boundTo: string, form: DigestForm = "plain"): SealedSecret {
    return {
      digest: this.primary.digest(secret, form),
      sealed: this.primary.seal(secret, boundTo),
    };
  }

  /** Opens a sealed secret with whichever held key sealed it. */
  open(sealed: Uint8Array, boundTo: string): string {
    let failure: unknown;
    for (const vault of this.#vaults) {
      try {
        return vault.open(sealed, boundTo);
      } catch (error) {
        failure = error;
      }
    }
    throw failure;
  }
}
