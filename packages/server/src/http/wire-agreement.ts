import type { Static, TSchema } from "@sinclair/typebox";
import type {
  Account,
  AuditEntry,
  CompatAccountList,
  CompatTokenList,
  CreateManagedTokenParams,
  CreateTokenParams,
  ExtensionList,
  IssuedManagedToken,
  ManagedToken,
  NativeTokenList,
  RerollTokenParams,
  Token,
  UpdateManagedTokenParams,
  UpdateTokenParams,
} from "@tokenspace/contract";
import type {
  AuditListSchema,
  CreateManagedTokenBodySchema,
  IssuedManagedTokenSchema,
  ManagedTokenListSchema,
  ManagedTokenSchema,
  RerollBodySchema,
  UpdateManagedTokenBodySchema,
} from "./extension-schemas.js";
import type {
  AccountSchema,
  CompatAccountListSchema,
  CompatTokenListSchema,
  CreateTokenBodySchema,
  NativeTokenListSchema,
  TokenSchema,
  UpdateTokenBodySchema,
} from "./schemas.js";

/**
 * The contract's wire types are written by hand, for the SDK, which ships them without TypeBox;
 * the server validates, serializes and documents with the TypeBox schemas. This module holds no
 * code: it fails the build the moment a schema and its contract type stop describing the same
 * shape (a field added, removed, renamed, made optional or given another type on one side).
 */

/** A shape with `readonly` taken off at every depth: the contract marks it, TypeBox does not. */
type Plain<T> = T extends readonly (infer Item)[]
  ? Plain<Item>[]
  : T extends object
    ? { -readonly [Key in keyof T]: Plain<T[Key]> }
    : T;

/** `true` exactly when the schema's shape is the contract type, field for field. */
type Agrees<Schema extends TSchema, Contract> =
  (<T>() => T extends Plain<Static<Schema>> ? 1 : 2) extends <T>() => T extends Plain<Contract>
    ? 1
    : 2
    ? true
    : false;

type AllTrue<Checks extends readonly true[]> = Checks;

// biome-ignore lint/correctness/noUnusedVariables: compiling this type is the check
type WireAgreement = AllTrue<
  [
    Agrees<typeof TokenSchema, Token>,
    Agrees<typeof CreateTokenBodySchema, CreateTokenParams>,
    Agrees<typeof UpdateTokenBodySchema, UpdateTokenParams>,
    Agrees<typeof AccountSchema, Account>,
    Agrees<typeof CompatTokenListSchema, CompatTokenList>,
    Agrees<typeof CompatAccountListSchema, CompatAccountList>,
    Agrees<typeof NativeTokenListSchema, NativeTokenList>,
    Agrees<typeof ManagedTokenSchema, ManagedToken>,
    Agrees<typeof IssuedManagedTokenSchema, IssuedManagedToken>,
    Agrees<typeof CreateManagedTokenBodySchema, CreateManagedTokenParams>,
    Agrees<typeof UpdateManagedTokenBodySchema, UpdateManagedTokenParams>,
    Agrees<typeof RerollBodySchema, RerollTokenParams>,
    Agrees<typeof ManagedTokenListSchema, ExtensionList<ManagedToken>>,
    Agrees<typeof AuditListSchema, ExtensionList<AuditEntry>>,
  ]
>;
