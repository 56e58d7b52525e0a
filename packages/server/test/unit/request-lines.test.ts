import pino from "pino";
import { expect, test } from "vitest";
import { type RequestLine, RequestLines } from "../../src/runtime/request-lines.js";

const BASE = { service: "tokenspace" };
const LINE: RequestLine = {
  reqId: "2c5f4a4e-1d7a-4c4e-9f51-0c8f3f1b7a10",
  method: "GET",
  url: "/api/laml/2010-04-01/Accounts/p/tokens?PageSize=50",
  statusCode: 200,
  responseTimeMs: 0.42,
};

function captured() {
  const written: string[] = [];
  return { written, stream: { write: (line: string) => written.push(line) } };
}

/** A line with its time set aside: the one field that differs between two writes. */
const timeless = (line: string) => line.replace(/"time":\d+/, '"time":0');

test("a request line is byte for byte the line pino writes for the same fields", () => {
  const ours = captured();
  const pinos = captured();
  new RequestLines(ours.stream, "info", BASE).write("info", LINE, "request");
  pino({ level: "info", base: BASE }, pinos.stream).info(LINE, "request");
  pino({ level: "debug", base: BASE }, pinos.stream).debug(LINE, "request");
  new RequestLines(ours.stream, "debug", BASE).write("debug", LINE, "request");
  expect(ours.written.map(timeless)).toEqual(pinos.written.map(timeless));
});

test("a URL with quotes, backslashes and control characters is written as valid JSON", () => {
  const { written, stream } = captured();
  const url = '/auth/verify?q="x"\\y\u0001\n';
  new RequestLines(stream, "info", BASE).write("info", { ...LINE, url }, "request");
  expect(JSON.parse(written[0] ?? "")).toMatchObject({ url, level: 30, service: "tokenspace" });
});

test("every text field is escaped exactly as JSON.stringify escapes it, a lone surrogate included", () => {
  const { written, stream } = captured();
  const odd = 'a"b\\c\u0000\u001f\ud800é€😀';
  new RequestLines(stream, "info", BASE).write(
    "info",
    { ...LINE, reqId: odd, method: odd, url: odd },
    odd,
  );
  const quoted = JSON.stringify(odd);
  expect(written[0]).toContain(`"reqId":${quoted},"method":${quoted},"url":${quoted}`);
  expect(written[0]).toContain(`"msg":${quoted}}`);
});

test("lines below the configured level are not written", () => {
  const { written, stream } = captured();
  const lines = new RequestLines(stream, "info", BASE);
  lines.write("debug", LINE, "request");
  expect(lines.writes("debug")).toBe(false);
  expect(lines.writes("info")).toBe(true);
  expect(written).toEqual([]);
  const silent = new RequestLines(stream, "silent", BASE);
  silent.write("info", LINE, "request");
  expect(silent.writes("info")).toBe(false);
  expect(written).toEqual([]);
});
