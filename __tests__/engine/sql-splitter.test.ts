import { splitSql } from "../../engine/sql-splitter";

const texts = (sql: string, flavor: "postgres" | "mysql") => splitSql(sql, flavor).map((s) => s.text);

describe("splitSql, both flavours", () => {
  test.each(["postgres", "mysql"] as const)("%s: splits on semicolons and numbers statements with their start line", (flavor) => {
    // GIVEN three statements over several lines, the last without a semicolon
    const sql = "CREATE TABLE a (id int);\n\nINSERT INTO a VALUES (1);\nSELECT\n  1";
    // WHEN
    const statements = splitSql(sql, flavor);
    // THEN
    expect(statements.map((s) => [s.index, s.line, s.text])).toEqual([
      [1, 1, "CREATE TABLE a (id int)"],
      [2, 3, "INSERT INTO a VALUES (1)"],
      [3, 4, "SELECT\n  1"],
    ]);
  });

  test.each(["postgres", "mysql"] as const)("%s: semicolons inside single quotes, doubled quotes and comments do not split", (flavor) => {
    const sql = "INSERT INTO t VALUES ('a;b', 'it''s; fine'); -- c;d\nSELECT 2 /* x; y */;";
    expect(texts(sql, flavor)).toEqual(["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "-- c;d\nSELECT 2 /* x; y */"]);
  });

  test.each(["postgres", "mysql"] as const)("%s: drops comment-only statements and reports the line of the code", (flavor) => {
    const statements = splitSql("-- header\n-- more\nSELECT 1;\n/* trailing */\n", flavor);
    expect(statements).toHaveLength(1);
    expect(statements[0]!.line).toBe(3);
  });

  test.each(["postgres", "mysql"] as const)("%s: an unterminated string is an error naming its line", (flavor) => {
    expect(() => splitSql("SELECT 1;\nSELECT 'oops;\n", flavor)).toThrow(/String literal starting on line 2 is never closed/);
  });

  test.each(["postgres", "mysql"] as const)("%s: an unterminated block comment is an error naming its line", (flavor) => {
    expect(() => splitSql("SELECT 1;\n\n/* never closed", flavor)).toThrow(/Block comment starting on line 3/);
  });

  test("empty and whitespace-only scripts have no statements", () => {
    expect(splitSql("", "postgres")).toEqual([]);
    expect(splitSql("  \n ; ;\n", "mysql")).toEqual([]);
  });

  test("CRLF line endings count lines correctly", () => {
    const statements = splitSql("SELECT 1;\r\n\r\nSELECT 2;\r\n", "postgres");
    expect(statements.map((s) => s.line)).toEqual([1, 3]);
  });
});

describe("splitSql, PostgreSQL", () => {
  test("dollar-quoted function bodies keep their semicolons", () => {
    const sql = `CREATE FUNCTION f() RETURNS int AS $$
BEGIN
  RETURN 1;
END;
$$ LANGUAGE plpgsql;
SELECT f();`;
    const out = texts(sql, "postgres");
    expect(out).toHaveLength(2);
    expect(out[0]).toContain("RETURN 1;");
    expect(out[1]).toBe("SELECT f()");
  });

  test("tagged dollar quotes may contain $$ and other tags", () => {
    const sql = "DO $outer$ BEGIN PERFORM '$$;'; EXECUTE $x$SELECT 1;$x$; END $outer$;SELECT 3";
    expect(texts(sql, "postgres")).toEqual(["DO $outer$ BEGIN PERFORM '$$;'; EXECUTE $x$SELECT 1;$x$; END $outer$", "SELECT 3"]);
  });

  test("positional parameters and identifiers containing $ are not dollar quotes", () => {
    expect(texts("PREPARE p AS SELECT $1; SELECT a$b$c FROM t;", "postgres")).toEqual(["PREPARE p AS SELECT $1", "SELECT a$b$c FROM t"]);
  });

  test("standard strings treat backslash literally; E'' strings take backslash escapes", () => {
    expect(texts("SELECT 'a\\'; SELECT E'b\\';c'; SELECT 3", "postgres")).toEqual(["SELECT 'a\\'", "SELECT E'b\\';c'", "SELECT 3"]);
  });

  test("double-quoted identifiers with doubled quotes and semicolons", () => {
    expect(texts('CREATE TABLE "we""ird;name" (id int); SELECT 1', "postgres")).toEqual(['CREATE TABLE "we""ird;name" (id int)', "SELECT 1"]);
  });

  test("nested block comments", () => {
    expect(texts("SELECT /* a /* b; */ c; */ 1; SELECT 2", "postgres")).toEqual(["SELECT /* a /* b; */ c; */ 1", "SELECT 2"]);
  });

  test("# is an operator, not a comment", () => {
    expect(texts("SELECT 5 # 3; SELECT 2", "postgres")).toEqual(["SELECT 5 # 3", "SELECT 2"]);
  });

  test("BEGIN ATOMIC bodies of SQL-standard functions are one statement", () => {
    const sql = `CREATE OR REPLACE FUNCTION g(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;
  SELECT a;
END;
SELECT g(1);`;
    const out = texts(sql, "postgres");
    expect(out).toHaveLength(2);
    expect(out[0]).toMatch(/SELECT a;\nEND$/);
  });

  test("a plain BEGIN/COMMIT are separate statements", () => {
    expect(texts("BEGIN; SELECT 1; COMMIT;", "postgres")).toEqual(["BEGIN", "SELECT 1", "COMMIT"]);
  });

  test("an unterminated dollar quote is an error", () => {
    expect(() => splitSql("SELECT 1;\nDO $body$ BEGIN END;", "postgres")).toThrow(/Dollar-quoted text \$body\$ starting on line 2/);
  });
});

describe("splitSql, MySQL", () => {
  test("backslash escapes and doubled quotes in single and double quotes", () => {
    expect(texts(`INSERT INTO t VALUES ('a\\';b', "c\\";d", 'e'';f'); SELECT 1`, "mysql")).toEqual([
      `INSERT INTO t VALUES ('a\\';b', "c\\";d", 'e'';f')`,
      "SELECT 1",
    ]);
  });

  test("backtick identifiers with doubled backticks", () => {
    expect(texts("CREATE TABLE `we``ird;name` (id int); SELECT 1", "mysql")).toEqual(["CREATE TABLE `we``ird;name` (id int)", "SELECT 1"]);
  });

  test("# comments and '-- ' comments; '--' without a space is not a comment", () => {
    expect(texts("SELECT 1; # one; two\nSELECT 5--1; -- x;y\nSELECT 3", "mysql")).toEqual(["SELECT 1", "# one; two\nSELECT 5--1", "-- x;y\nSELECT 3"]);
  });

  test("DELIMITER blocks for procedures and triggers; the DELIMITER lines are not sent", () => {
    const sql = `CREATE TABLE t (id int);
DELIMITER //
CREATE PROCEDURE p()
BEGIN
  INSERT INTO t VALUES (1);
  INSERT INTO t VALUES (2);
END //
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW
BEGIN
  SET NEW.id = NEW.id + 0;
END//
DELIMITER ;
CALL p();`;
    const statements = splitSql(sql, "mysql");
    expect(statements.map((s) => s.text.split("\n")[0])).toEqual(["CREATE TABLE t (id int)", "CREATE PROCEDURE p()", "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW", "CALL p()"]);
    expect(statements[1]!.text).toMatch(/INSERT INTO t VALUES \(2\);\nEND$/);
    expect(statements.map((s) => s.line)).toEqual([1, 3, 8, 13]);
  });

  test("delimiter text inside quotes does not end the statement", () => {
    const sql = "DELIMITER $$\nCREATE PROCEDURE q() BEGIN SELECT '$$'; END$$\nDELIMITER ;\nSELECT 1;";
    expect(texts(sql, "mysql")).toEqual(["CREATE PROCEDURE q() BEGIN SELECT '$$'; END", "SELECT 1"]);
  });

  test("DELIMITER without an argument is an error", () => {
    expect(() => splitSql("DELIMITER \nSELECT 1;", "mysql")).toThrow(/DELIMITER on line 1 needs a delimiter/);
  });

  test("executable comments are kept as statements", () => {
    expect(texts("/*!40101 SET NAMES utf8 */;\nSELECT 1;", "mysql")).toEqual(["/*!40101 SET NAMES utf8 */", "SELECT 1"]);
  });

  test("block comments do not nest in MySQL", () => {
    expect(texts("SELECT /* a /* b */ 1; SELECT 2", "mysql")).toEqual(["SELECT /* a /* b */ 1", "SELECT 2"]);
  });

  test("an unterminated backtick identifier is an error", () => {
    expect(() => splitSql("SELECT `oops FROM t;", "mysql")).toThrow(/Quoted identifier starting on line 1/);
  });
});
