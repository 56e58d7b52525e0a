import { randomFillSync } from "node:crypto";

const BLOCK_SIZE = 4096;

let block = Buffer.alloc(0);
let used = 0;

/**
 * `size` bytes from the CSPRNG, handed out of blocks filled 4 KiB at a time, as Node's own
 * `randomUUID` does. Each call into OpenSSL's generator costs a system call (its fork check),
 * and a token create drew three (its id, its secret, the seal's IV). A block is never refilled
 * in place, so bytes handed out never change under their holder.
 */
export function randomBytesFromPool(size: number): Buffer {
  if (size > BLOCK_SIZE) throw new RangeError(`At most ${BLOCK_SIZE} random bytes at a time.`);
  if (used + size > block.length) {
    block = randomFillSync(Buffer.allocUnsafeSlow(BLOCK_SIZE));
    used = 0;
  }
  const bytes = block.subarray(used, used + size);
  used += size;
  return bytes;
}
