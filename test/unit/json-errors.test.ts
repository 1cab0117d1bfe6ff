import { describe, expect, it } from "vitest";
import { goJsonSyntaxError } from "../../durable/api/server";

/** What V8 says of `text`, in encoding/json's words. */
function goError(text: string): string {
  try {
    JSON.parse(text);
  } catch (e) {
    return goJsonSyntaxError((e as Error).message, text);
  }
  throw new Error(`${text} parsed`);
}

describe("JSON syntax errors in encoding/json's words", () => {
  it("names the character and where it was found, as the API server's decoder does", () => {
    expect(goError("{bad")).toBe("invalid character 'b' looking for beginning of object key string");
    expect(goError('{"a" 1}')).toBe("invalid character '1' after object key");
    expect(goError('{"a":1 "b":2}')).toBe("invalid character '\"' after object key:value pair");
    expect(goError("[1 2]")).toBe("invalid character '2' after array element");
    expect(goError("{} x")).toBe("invalid character 'x' after top-level value");
    expect(goError('{"a":"\n"}')).toBe("invalid character '\\n' in string literal");
    expect(goError('{"a":x}')).toBe("invalid character 'x' looking for beginning of value");
    expect(goError('{"a":')).toBe("unexpected end of JSON input");
  });
});
