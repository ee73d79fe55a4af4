import { loadDataFiles, memorySource, parseCsv, parseCsvData, parseJsonData } from "../../engine";
import { readCsvData } from "../../engine/data-files";

describe("CSV parsing", () => {
  test("quoted fields hold commas, doubled quotes and newlines; records keep their start line", () => {
    const records = parseCsv('id,note\n1,"a, b"\n2,"say ""hi"""\n3,"two\nlines"\n4,plain\n');
    expect(records).toEqual([
      { fields: ["id", "note"], line: 1 },
      { fields: ["1", "a, b"], line: 2 },
      { fields: ["2", 'say "hi"'], line: 3 },
      { fields: ["3", "two\nlines"], line: 4 },
      { fields: ["4", "plain"], line: 6 },
    ]);
  });

  test("an empty unquoted field is NULL, a quoted empty field is an empty string", () => {
    expect(parseCsv('a,b,c\n,"",x\n')[1]!.fields).toEqual([null, "", "x"]);
  });

  test("CRLF line endings, a byte order mark and blank lines", () => {
    expect(parseCsv('\ufeffa,b\r\n1,"x\r\ny"\r\n\r\n2,z').map((r) => [r.line, r.fields])).toEqual([
      [1, ["a", "b"]],
      [2, ["1", "x\r\ny"]],
      [5, ["2", "z"]],
    ]);
  });

  test("a quote inside an unquoted field is an error naming the line", () => {
    expect(() => parseCsv('a\nab"c\n')).toThrow(/line 2: quote inside an unquoted field/);
  });

  test("an unclosed quote is an error naming the line where the field starts", () => {
    expect(() => parseCsv('a,b\n1,"open\nmore\n')).toThrow(/line 2: quoted field is never closed/);
  });

  test("text after a closing quote is an error", () => {
    expect(() => parseCsv('a\n"x"y\n')).toThrow(/line 2: unexpected text after the closing quote/);
  });

  test("a record with the wrong number of fields is refused with file, line and row", () => {
    expect(() => parseCsvData("t.csv", "a,b\n1,2\n3\n")).toThrow(/t.csv line 3 \(row 2\): 1 fields, but the header has 2/);
  });

  test("duplicate header names are refused", () => {
    expect(() => parseCsvData("t.csv", "a,a\n1,2\n")).toThrow(/t.csv line 1: column "a" appears twice/);
  });

  test("rows know their data row and line", () => {
    const file = parseCsvData("countries.csv", 'code,name\nFR,"France"\nDE,Germany\n');
    expect(file.table).toBe("countries");
    expect(file.columns).toEqual(["code", "name"]);
    expect(file.rows.map((r) => [r.row, r.line, r.values])).toEqual([
      [1, 2, ["FR", "France"]],
      [2, 3, ["DE", "Germany"]],
    ]);
  });
});

describe("CSV text handed to the server's own CSV reader", () => {
  test.each([
    ["LF", "a,b\n1,x\n2,\n"],
    ["CRLF, quoted newlines and a byte order mark", '\ufeffa,b\r\n1,"x\r\ny"\r\n2,""'],
  ])("is kept for a plain file (%s), without the byte order mark", (_, text) => {
    expect(parseCsvData("t.csv", text).csvText).toBe(text.replace(/^\ufeff/, ""));
  });

  test.each([
    ["a blank line", "a,b\n1,x\n\n2,y\n"],
    ["a blank CRLF line", "a,b\r\n1,x\r\n\r\n2,y\r\n"],
    ["a leading blank line", "\na,b\n1,x\n"],
    ["a carriage return that does not end a line", 'a,b\n1,"x\ry"\n'],
    ["a line holding only \\.", "a\n1\n\\.\n2\n"],
  ])("is left out when the file has %s, which such a reader would read differently", (_, text) => {
    const file = parseCsvData("t.csv", text);
    expect(file.rows.length).toBeGreaterThan(0);
    expect(file.csvText).toBeUndefined();
  });
});

describe("plain CSV files (read without building rows until they are needed)", () => {
  const same = (text: string) => {
    const file = readCsvData("t.csv", text);
    const parsed = parseCsvData("t.csv", text);
    expect({ ...file, rows: file.rows, plainRows: undefined }).toEqual({ ...parsed, plainRows: undefined });
    return file;
  };

  test.each([
    ["LF", "a,b,c\n1,x,\n2,,y\n", 2],
    ["CRLF and a byte order mark", "\ufeffa,b,c\r\n1,x,\r\n2,,y", 2],
    ["quoted commas, doubled quotes, empty strings", 'a,b,c\n1,"x, y",""\n2,"say ""hi""",z\n3,"""",\n', 3],
    ["only a header", "a,b,c\n", 0],
  ])("%s: the row count is known and the rows, read later, are the full parser's", (_, text, rows) => {
    expect(same(text).plainRows).toBe(rows);
  });

  test.each([
    ["a quoted line break", 'a,b\n1,"x\ny"\n'],
    ["a quoted header", '"a",b\n1,x\n'],
    ["no line end after the header", "a,b"],
  ])("%s: not plain, parsed in full at once", (_, text) => {
    expect(same(text).plainRows).toBeUndefined();
  });

  test.each([
    ["a quote inside an unquoted field", 'a,b\n1,x"y\n', /line 2: quote inside an unquoted field/],
    ["text after a closing quote", 'a,b\n1,"x"y\n', /line 2: unexpected text after the closing quote/],
  ])("%s: refused as the file is read, as the full parser refuses it", (_, text, message) => {
    expect(() => readCsvData("t.csv", text)).toThrow(message);
  });

  test("a row with too many or too few fields is refused as the file is read, naming its line", async () => {
    await expect(loadDataFiles(memorySource({ "t.csv": "a,b\n1,x\n2,y,z\n" }))).rejects.toThrow(/t.csv line 3 \(row 2\): 3 fields, but the header has 2/);
    await expect(loadDataFiles(memorySource({ "t.csv": "a,b\n1,x\n2\n" }))).rejects.toThrow(/t.csv line 3 \(row 2\): 1 fields, but the header has 2/);
    await expect(loadDataFiles(memorySource({ "t.csv": "a,a\n1,x\n" }))).rejects.toThrow(/t.csv line 1: column "a" appears twice/);
  });

  test("every short file of awkward pieces reads as the full parser reads it", () => {
    const pieces = ["a", "", '"', ",", "\n", "\r\n", '""', '"x,y"', "1", "\r", " "];
    // Every sequence of up to four pieces after a two-column header (11^4 files).
    const walk = (text: string, depth: number): void => {
      let expected: unknown;
      try {
        expected = { ...parseCsvData("t.csv", text) };
      } catch (error) {
        expected = (error as Error).message;
      }
      let actual: unknown;
      try {
        const file = readCsvData("t.csv", text);
        if (file.plainRows !== undefined) expect(file.rows).toHaveLength(file.plainRows);
        actual = { ...file, rows: file.rows };
        delete (actual as { plainRows?: number }).plainRows;
      } catch (error) {
        actual = (error as Error).message;
      }
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect([text, actual]).toEqual([text, expected]);
      if (depth < 4) for (const piece of pieces) walk(text + piece, depth + 1);
    };
    walk("h1,h2\n", 0);
  });
});

describe("JSON data files", () => {
  test("columns are the union of keys; a missing key is NULL", () => {
    const file = parseJsonData("t.json", '[{"id":1,"a":"x"},{"id":2,"b":true,"c":{"k":[1]}}]');
    expect(file.columns).toEqual(["id", "a", "b", "c"]);
    expect(file.firstRow).toEqual([1, 1, 2, 2]);
    expect(file.rows.map((r) => r.values)).toEqual([
      [1, "x", null, null],
      [2, null, true, { k: [1] }],
    ]);
  });

  test("invalid JSON names the file and line", () => {
    expect(() => parseJsonData("t.json", '[\n{"id":1},\n{"id":}\n]')).toThrow(/^t.json \(line 3, column 7\): not valid JSON: expected a value, found "}"$/);
  });

  test("an element that is not an object names its row", () => {
    expect(() => parseJsonData("t.json", '[{"id":1}, [2]]')).toThrow(/t.json row 2: expected an object/);
  });

  test("the top level must be an array", () => {
    expect(() => parseJsonData("t.json", '{"id":1}')).toThrow(/t.json: expected a JSON array/);
  });
});

describe("loadDataFiles", () => {
  test("reads .json and .csv files, ignores others, and refuses two files for one table", async () => {
    const files = await loadDataFiles(memorySource({ "a.json": "[]", "b.csv": "id\n1\n", "notes.txt": "x" }));
    expect(files.map((f) => [f.file, f.table, f.format])).toEqual([
      ["a.json", "a", "json"],
      ["b.csv", "b", "csv"],
    ]);
    await expect(loadDataFiles(memorySource({ "a.json": "[]", "a.csv": "id\n" }))).rejects.toThrow(/a.csv and a.json both describe table a/);
  });
});
