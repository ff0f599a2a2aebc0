/**
 * `filterQuery` of the Model Registry REST API: the grammar of upstream's internal/db/filter/parser.go (a participle
 * grammar) and the meaning its query builder gives it, evaluated over in-memory objects.
 *
 *   expr       := and ("OR" and)*
 *   and        := term ("AND" term)*
 *   term       := "(" expr ")" | comparison
 *   comparison := property op value
 *   property   := `escaped name` | ident [ "." (string_value|double_value|int_value|bool_value) ]
 *   op         := = | != | <> | > | < | >= | <= | LIKE | ILIKE | IN
 *   value      := 'string' | "string" | int | float | true | false | "(" value ("," value)* ")"
 *
 * Keywords are case-insensitive; `-- comments` are skipped. A property that is not a built-in field of the entity is
 * a custom property; its value type is the one named after the dot, else inferred from the literal (a string
 * compares string_value, an integer int_value, a float double_value, a boolean bool_value), as upstream does: so
 * `accuracy > 0.9` matches a MetadataDoubleValue but `accuracy > 1` looks at int_value and matches none.
 * A property the entity does not have never matches (SQL join semantics), whatever the operator.
 * Anything else (NOT, IS NULL, BETWEEN, functions, dotted paths like `customProperties.x`) is a FilterError.
 */

export class FilterError extends Error {}

export type ValueType = 'string_value' | 'double_value' | 'int_value' | 'bool_value';
const VALUE_TYPES: ValueType[] = ['string_value', 'double_value', 'int_value', 'bool_value'];

export type Literal =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'double'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'list'; items: Literal[] };

export interface Comparison {
  type: 'cmp';
  property: string;
  /** Given after a dot (`budget.double_value`). */
  valueType?: ValueType;
  op: '=' | '!=' | '>' | '<' | '>=' | '<=' | 'LIKE' | 'ILIKE' | 'IN';
  value: Literal;
}

export type FilterExpr = Comparison | { type: 'and' | 'or'; left: FilterExpr; right: FilterExpr };

/** A stored value as the database column holds it. */
export type Stored = { kind: 'string'; value: string } | { kind: 'number'; value: number } | { kind: 'bool'; value: boolean };

/** Resolves a comparison's property on one entity; undefined = the entity has no such value (never matches). */
export type Lookup<T> = (entity: T, c: Comparison, inferred: ValueType) => Stored | undefined;

const SUPPORTED = 'supported: comparisons with = != <> < <= > >= LIKE ILIKE IN, AND, OR, parentheses; ' +
  'built-in fields by name; custom properties by their name, optionally with .string_value/.int_value/.double_value/.bool_value';

// ------------------------------------------------------------------------------------------------
// lexer (same rules as upstream's lexer.MustSimple, in the same order)

interface Token { kind: 'Ident' | 'Float' | 'Int' | 'String' | 'EscapedIdent' | 'Op' | 'Punct' | 'EOF'; text: string; col: number }

const RULES: Array<[Token['kind'] | 'ws' | 'comment', RegExp]> = [
  ['ws', /\s+/y],
  ['comment', /--[^\r\n]*/y],
  ['Ident', /[a-zA-Z_][a-zA-Z0-9_]*/y],
  ['Float', /[-+]?\d*\.\d+(?:[eE][-+]?\d+)?|[-+]?\d+[eE][-+]?\d+/y],
  ['Int', /[-+]?\d+/y],
  ['String', /'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/y],
  ['EscapedIdent', /`(?:[^`\\]|\\.)*`/y],
  ['Op', />=|<=|!=|<>|=|>|</y],
  ['Punct', /[().,]/y],
];

function lex(input: string): Token[] {
  const out: Token[] = [];
  let pos = 0;
  while (pos < input.length) {
    let matched = false;
    for (const [kind, re] of RULES) {
      re.lastIndex = pos;
      const m = re.exec(input);
      if (!m || m[0].length === 0) continue;
      if (kind !== 'ws' && kind !== 'comment') out.push({ kind, text: m[0], col: pos + 1 });
      pos += m[0].length;
      matched = true;
      break;
    }
    if (!matched) throw new FilterError(`error parsing filter query: 1:${pos + 1}: invalid input text "${input.slice(pos, pos + 10)}" (${SUPPORTED})`);
  }
  out.push({ kind: 'EOF', text: '', col: input.length + 1 });
  return out;
}

// ------------------------------------------------------------------------------------------------
// parser

/** Parses a filterQuery; undefined for an empty one. Throws FilterError with a message for the 400. */
export function parseFilter(input: string): FilterExpr | undefined {
  if (input.trim() === '') return undefined;
  const toks = lex(input);
  let i = 0;
  const peek = (): Token => toks[i]!;
  const next = (): Token => toks[i++]!;
  const isKw = (t: Token, kw: string): boolean => t.kind === 'Ident' && t.text.toUpperCase() === kw;
  const fail = (t: Token, what: string): never => {
    const shown = t.kind === 'EOF' ? '<EOF>' : `"${t.text}"`;
    throw new FilterError(`error parsing filter query: 1:${t.col}: unexpected token ${shown}${what ? ` (${what})` : ''}; ${SUPPORTED}`);
  };

  const expr = (): FilterExpr => {
    let left = and();
    while (isKw(peek(), 'OR')) { next(); left = { type: 'or', left, right: and() }; }
    return left;
  };
  const and = (): FilterExpr => {
    let left = term();
    while (isKw(peek(), 'AND')) { next(); left = { type: 'and', left, right: term() }; }
    return left;
  };
  const term = (): FilterExpr => {
    const t = peek();
    if (t.kind === 'Punct' && t.text === '(') {
      next();
      const e = expr();
      const close = next();
      if (!(close.kind === 'Punct' && close.text === ')')) fail(close, 'expected ")"');
      return e;
    }
    return comparison();
  };
  const comparison = (): Comparison => {
    const t = next();
    let property: string;
    let valueType: ValueType | undefined;
    if (t.kind === 'EscapedIdent') {
      property = t.text.slice(1, -1).replace(/\\\./g, '.').replace(/\\\\/g, '\\');
    } else if (t.kind === 'Ident') {
      if (['NOT', 'EXISTS'].includes(t.text.toUpperCase())) fail(t, `${t.text.toUpperCase()} is not supported`);
      const path = [t.text];
      while (peek().kind === 'Punct' && peek().text === '.') {
        next();
        const p = next();
        if (p.kind !== 'Ident') fail(p, 'expected a name after "."');
        path.push(p.text);
      }
      const last = path[path.length - 1]!.toLowerCase();
      if (path.length > 1 && (VALUE_TYPES as string[]).includes(last)) { valueType = last as ValueType; path.pop(); }
      if (path.length > 1) {
        throw new FilterError(`unsupported property path "${path.join('.')}" in filterQuery: nested paths are not supported by the stand-in; ` +
          `custom properties are named directly, e.g. ${path[path.length - 1]} = 'x' or ${path[path.length - 1]}.string_value = 'x'`);
      }
      property = path[0]!;
    } else {
      return fail(t, 'expected a property name');
    }
    const o = next();
    let op: Comparison['op'];
    if (o.kind === 'Op') op = o.text === '<>' ? '!=' : (o.text as Comparison['op']);
    else if (o.kind === 'Ident' && ['LIKE', 'ILIKE', 'IN'].includes(o.text.toUpperCase())) op = o.text.toUpperCase() as Comparison['op'];
    else if (o.kind === 'Ident' && ['IS', 'BETWEEN', 'NOT'].includes(o.text.toUpperCase())) return fail(o, `${o.text.toUpperCase()} is not supported`);
    else return fail(o, 'expected an operator');
    return { type: 'cmp', property, valueType, op, value: value(true) };
  };
  const value = (listAllowed: boolean): Literal => {
    const t = next();
    switch (t.kind) {
      case 'String': return { kind: 'string', value: unquote(t.text) };
      case 'Int': return { kind: 'int', value: Number(t.text) };
      case 'Float': return { kind: 'double', value: Number(t.text) };
      case 'Ident':
        if (/^(true|false)$/i.test(t.text)) return { kind: 'bool', value: t.text.toLowerCase() === 'true' };
        if (/^null$/i.test(t.text)) return fail(t, 'NULL is not supported');
        return fail(t, 'expected a value');
      case 'Punct':
        if (t.text === '(' && listAllowed) {
          const items: Literal[] = [];
          if (!(peek().kind === 'Punct' && peek().text === ')')) {
            items.push(value(false));
            while (peek().kind === 'Punct' && peek().text === ',') { next(); items.push(value(false)); }
          }
          const close = next();
          if (!(close.kind === 'Punct' && close.text === ')')) fail(close, 'expected ")"');
          return { kind: 'list', items };
        }
        return fail(t, 'expected a value');
      default:
        return fail(t, 'expected a value');
    }
  };

  const e = expr();
  if (peek().kind !== 'EOF') fail(peek(), '');
  return e;
}

/** Upstream: trim the quotes, then \" → ", \' → ', \\ → \ . */
function unquote(s: string): string {
  return s.slice(1, -1).replace(/\\"/g, '"').replace(/\\'/g, "'").replace(/\\\\/g, '\\');
}

// ------------------------------------------------------------------------------------------------
// evaluation

export function inferredType(v: Literal): ValueType {
  const l = v.kind === 'list' ? v.items[0] : v;
  switch (l?.kind) {
    case 'int': return 'int_value';
    case 'double': return 'double_value';
    case 'bool': return 'bool_value';
    default: return 'string_value';
  }
}

export function matches<T>(expr: FilterExpr | undefined, entity: T, lookup: Lookup<T>): boolean {
  if (!expr) return true;
  if (expr.type !== 'cmp') {
    return expr.type === 'and'
      ? matches(expr.left, entity, lookup) && matches(expr.right, entity, lookup)
      : matches(expr.left, entity, lookup) || matches(expr.right, entity, lookup);
  }
  const stored = lookup(entity, expr, expr.valueType ?? inferredType(expr.value));
  if (stored === undefined) return false;
  const v = expr.value;
  switch (expr.op) {
    case 'IN': return (v.kind === 'list' ? v.items : [v]).some((item) => compare(stored, item) === 0);
    case 'LIKE': case 'ILIKE': {
      if (v.kind !== 'string') return compare(stored, v) === 0;
      return likeRegex(v.value, expr.op === 'ILIKE').test(String(stored.value));
    }
    default: {
      const c = compare(stored, v);
      if (c === undefined) return false;
      switch (expr.op) {
        case '=': return c === 0;
        case '!=': return c !== 0;
        case '>': return c > 0;
        case '<': return c < 0;
        case '>=': return c >= 0;
        case '<=': return c <= 0;
      }
    }
  }
  return false;
}

/** -1/0/1 like SQL would compare a column with a literal (numbers numerically, else as text); undefined = NULL. */
function compare(stored: Stored, lit: Literal): number | undefined {
  if (lit.kind === 'list') return undefined;
  const a = stored.value;
  const b = lit.value;
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const an = typeof a === 'boolean' ? Number(a) : Number(a);
    const bn = typeof b === 'boolean' ? Number(b) : Number(b);
    return Number.isNaN(an) || Number.isNaN(bn) ? undefined : Math.sign(an - bn);
  }
  const an = typeof a === 'number' ? a : Number(a);
  const bn = typeof b === 'number' ? b : Number(b);
  if ((typeof a === 'number' || typeof b === 'number') && !Number.isNaN(an) && !Number.isNaN(bn) && String(a).trim() !== '' && String(b).trim() !== '') {
    return Math.sign(an - bn);
  }
  const as = String(a);
  const bs = String(b);
  return as === bs ? 0 : as < bs ? -1 : 1;
}

function likeRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) { re += escapeRe(pattern[++i]!); continue; }
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += escapeRe(ch);
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'i' : '');
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
