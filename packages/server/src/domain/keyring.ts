import type { SecretVault } from "./secret-vault.js";
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

  /** The digests a secret may be stored under, the primary key's first. */
  digests(secret: string): Buffer[] {
    return this.#vaults.map((vault) => vault.digest(secret));
  }

  /** A secret sealed under the primary key, bound to what it belongs to. */
  seal(secret: string, boundTo: string): SealedSecret {
    return { digest: this.primary.digest(secret), sealed: this.primary.seal(secret, boundTo) };
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
