import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import { COUNTER_BLOCK_LENGTH, Keystream, writeCounterBlock } from "../../src/domain/keystream.js";

describe("a keystream made ahead", () => {
  const key = randomBytes(32);
  const encrypt = (keystream: Keystream, plaintext: Buffer) => {
    const out = Buffer.alloc(COUNTER_BLOCK_LENGTH + plaintext.length);
    keystream.encryptInto(plaintext, out, 0);
    return {
      counterBlock: out.subarray(0, COUNTER_BLOCK_LENGTH),
      ciphertext: out.subarray(COUNTER_BLOCK_LENGTH),
    };
  };

  test("counts counter blocks as OpenSSL's CTR mode does, carrying across all sixteen bytes", () => {
    const start = Buffer.from("fffffffffffffffffffffffffffffffe", "hex");
    const stream = createCipheriv("aes-256-ctr", key, start).update(Buffer.alloc(4 * 16));
    for (let blocks = 0; blocks < 4; blocks++) {
      const counterBlock = Buffer.alloc(COUNTER_BLOCK_LENGTH);
      writeCounterBlock(start, blocks, counterBlock, 0);
      const block = createCipheriv("aes-256-ctr", key, counterBlock).update(Buffer.alloc(16));
      expect(block.equals(stream.subarray(blocks * 16, blocks * 16 + 16))).toBe(true);
    }
  });

  test("decrypts each encryption to its plaintext, across many fills", () => {
    const keystream = new Keystream(key);
    for (let index = 0; index < 2_000; index++) {
      const plaintext = randomBytes(1 + (index % 70));
      const { counterBlock, ciphertext } = encrypt(keystream, plaintext);
      expect(keystream.decrypt(counterBlock, ciphertext).equals(plaintext)).toBe(true);
    }
  });

  test("never uses a counter block twice", () => {
    const keystream = new Keystream(key);
    const used = new Set<string>();
    const blocksEach = 4;
    for (let index = 0; index < 2_000; index++) {
      const { counterBlock } = encrypt(keystream, Buffer.alloc(blocksEach * 16 - 14));
      for (let block = 0; block < blocksEach; block++) {
        const counter = Buffer.alloc(COUNTER_BLOCK_LENGTH);
        writeCounterBlock(counterBlock, block, counter, 0);
        used.add(counter.toString("hex"));
      }
    }
    expect(used.size).toBe(2_000 * blocksEach);
  });

  test("encrypts the same plaintext differently each time", () => {
    const keystream = new Keystream(key);
    const plaintext = Buffer.from("PT0123456789abcdef0123456789abcdef0123456789abcdef");
    expect(
      encrypt(keystream, plaintext).ciphertext.equals(encrypt(keystream, plaintext).ciphertext),
    ).toBe(false);
  });

  test("does not decrypt under another key", () => {
    const plaintext = randomBytes(50);
    const { counterBlock, ciphertext } = encrypt(new Keystream(key), plaintext);
    expect(new Keystream(randomBytes(32)).decrypt(counterBlock, ciphertext).equals(plaintext)).toBe(
      false,
    );
  });
});
