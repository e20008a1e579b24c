using System.Globalization;

namespace MilvusTestServer.Filter;

/// <summary>The schema facts the parser needs to resolve names: field types and whether dynamic keys exist.</summary>
public sealed record FilterSchema(IReadOnlyDictionary<string, string> FieldTypes, bool DynamicFieldEnabled);

/// <summary>
/// A tokenizer and recursive-descent parser for the subset of Milvus's filter grammar (planparserv2 Plan.g4) that
/// clients of this server use: literals (Go-style strings, integers in any base, floats, booleans in any case),
/// schema fields, JSON paths, bare dynamic keys and <c>$meta["k"]</c>, comparisons, <c>in</c> / <c>not in</c>,
/// <c>and</c>/<c>&amp;&amp;</c>, <c>or</c>/<c>||</c>, <c>not</c>/<c>!</c> and parentheses.
/// Errors are <see cref="FilterException"/>, which the server answers as code 1100 like Milvus.
/// </summary>
public sealed class FilterParser
{
    private readonly List<Token> tokens;
    private readonly FilterSchema schema;
    private readonly string text;
    private int position;

    private FilterParser(string text, FilterSchema schema)
    {
        this.text = text;
        this.schema = schema;
        tokens = Tokenize(text);
    }

    /// <summary>Parses <paramref name="expression"/> against <paramref name="schema"/>.</summary>
    public static FilterNode Parse(string expression, FilterSchema schema)
    {
        ArgumentNullException.ThrowIfNull(expression);
        ArgumentNullException.ThrowIfNull(schema);
        var parser = new FilterParser(expression, schema);
        if (parser.tokens.Count == 0)
        {
            throw new FilterException("empty expression");
        }

        var node = parser.ParseOr();
        if (parser.position < parser.tokens.Count)
        {
            throw parser.Error($"unexpected '{parser.tokens[parser.position].Text}'");
        }

        return node;
    }

    private enum TokenKind
    {
        Identifier,
        Meta,
        String,
        Number,
        Symbol,
    }

    private readonly record struct Token(TokenKind Kind, string Text);

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (AcceptWord("or") || AcceptSymbol("||"))
        {
            left = new OrNode(left, ParseAnd());
        }

        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseNot();
        while (AcceptWord("and") || AcceptSymbol("&&"))
        {
            left = new AndNode(left, ParseNot());
        }

        return left;
    }

    private FilterNode ParseNot()
    {
        if (AcceptSymbol("!") || (PeekWord("not") && !PeekWord("in", 1) && AcceptWord("not")))
        {
            return new NotNode(ParseNot());
        }

        if (AcceptWord("exists"))
        {
            // Plan.g4 "EXISTS expr": a JSON field or a dynamic key, with an optional path.
            var operand = ParseOperand();
            if (operand is not (DynamicOperand or FieldOperand { DataType: "JSON" }))
            {
                throw Error("exists operations are only supported on json field");
            }

            return new ExistsNode(operand);
        }

        if (AcceptSymbol("("))
        {
            var inner = ParseOr();
            Expect(")");
            return inner;
        }

        return ParseComparison();
    }

    private FilterNode ParseComparison()
    {
        var left = ParseOperand();
        if (Peek() is { Kind: TokenKind.Symbol } op && op.Text is "==" or "!=" or "<" or "<=" or ">" or ">=")
        {
            position++;
            var right = ParseOperand();
            CheckTypes(left, right);
            CheckTypes(right, left);
            return new CompareNode(op.Text, left, right);
        }

        var negated = false;
        if (PeekWord("not") && PeekWord("in", 1))
        {
            position += 2;
            negated = true;
        }
        else if (AcceptWord("in"))
        {
            negated = false;
        }
        else
        {
            if (PeekWord("like"))
            {
                throw Error("like is not supported by this test server");
            }

            if (left is LiteralOperand { Value.Kind: not FilterValueKind.Bool })
            {
                throw Error("a literal is not a boolean expression");
            }

            return new TruthNode(left);
        }

        Expect("[");
        var values = new List<FilterValue>();
        if (!AcceptSymbol("]"))
        {
            do
            {
                if (PeekSymbol("]"))
                {
                    break;
                }

                var item = ParseOperand();
                if (item is not LiteralOperand literal)
                {
                    throw Error("the values of 'in' must be literals");
                }

                CheckTypes(left, literal);
                values.Add(literal.Value);
            }
            while (AcceptSymbol(","));
            Expect("]");
        }

        return new InNode(left, values, negated);
    }

    private Operand ParseOperand()
    {
        var token = Next("an operand");
        switch (token.Kind)
        {
            case TokenKind.String:
                return new LiteralOperand(FilterValue.Of(GoStringLiteral.Decode(token.Text)));
            case TokenKind.Number:
                return new LiteralOperand(ParseNumber(token.Text, negative: false));
            case TokenKind.Symbol when token.Text == "-" && Peek() is { Kind: TokenKind.Number } number:
                position++;
                return new LiteralOperand(ParseNumber(number.Text, negative: true));
            case TokenKind.Meta:
            {
                var path = ParsePath();
                if (path.Count == 0 || path[0] is not string key)
                {
                    throw Error("$meta must be followed by [\"key\"]");
                }

                if (!schema.DynamicFieldEnabled)
                {
                    throw Error("field $meta not exist");
                }

                return new DynamicOperand(key, path.Skip(1).ToList());
            }

            case TokenKind.Identifier:
            {
                var lower = token.Text.ToLowerInvariant();
                if (lower is "true" or "false")
                {
                    return new LiteralOperand(FilterValue.Of(lower == "true"));
                }

                if (lower is "and" or "or" or "not" or "in" or "like" or "exists")
                {
                    throw Error($"unexpected keyword '{token.Text}'");
                }

                var path = ParsePath();
                if (schema.FieldTypes.TryGetValue(token.Text, out var type))
                {
                    if (type.EndsWith("Vector", StringComparison.Ordinal))
                    {
                        throw Error($"vector field {token.Text} cannot be used in a filter");
                    }

                    if (path.Count > 0 && type != "JSON")
                    {
                        throw Error($"field {token.Text} of type {type} cannot be indexed");
                    }

                    return new FieldOperand(token.Text, type, path);
                }

                if (!schema.DynamicFieldEnabled)
                {
                    throw Error($"field {token.Text} not exist");
                }

                return new DynamicOperand(token.Text, path);
            }

            default:
                throw Error($"unexpected '{token.Text}'");
        }
    }

    private List<object> ParsePath()
    {
        var path = new List<object>();
        while (AcceptSymbol("["))
        {
            var token = Next("a JSON key");
            if (token.Kind == TokenKind.String)
            {
                path.Add(GoStringLiteral.Decode(token.Text));
            }
            else if (token.Kind == TokenKind.Number && int.TryParse(token.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                path.Add(index);
            }
            else
            {
                throw Error("a JSON key must be a quoted string or an index");
            }

            Expect("]");
        }

        return path;
    }

    private void CheckTypes(Operand field, Operand other)
    {
        if (field is not FieldOperand { Path.Count: 0 } f || other is not LiteralOperand { Value: var v })
        {
            return;
        }

        var ok = f.DataType switch
        {
            "VarChar" => v.Kind == FilterValueKind.String,
            "Int64" or "Int32" or "Int16" or "Int8" => v.Kind == FilterValueKind.Int,
            "Float" or "Double" => v.IsNumber,
            "Bool" => v.Kind == FilterValueKind.Bool,
            _ => true,
        };
        if (!ok)
        {
            throw Error($"comparisons between {f.DataType} and {v.Kind} are not supported");
        }
    }

    private FilterValue ParseNumber(string raw, bool negative)
    {
        var s = raw.Replace("_", string.Empty, StringComparison.Ordinal);
        long value;
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            value = Convert.ToInt64(s[2..], 16);
        }
        else if (s.StartsWith("0b", StringComparison.OrdinalIgnoreCase))
        {
            value = Convert.ToInt64(s[2..], 2);
        }
        else if (s.StartsWith("0o", StringComparison.OrdinalIgnoreCase))
        {
            value = Convert.ToInt64(s[2..], 8);
        }
        else if (s.Contains('.', StringComparison.Ordinal) || s.Contains('e', StringComparison.OrdinalIgnoreCase))
        {
            if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                throw Error($"invalid number {raw}");
            }

            return FilterValue.Of(negative ? -d : d);
        }
        else if (s.Length > 1 && s[0] == '0')
        {
            value = Convert.ToInt64(s[1..], 8);
        }
        else if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value))
        {
            throw Error($"invalid number {raw}");
        }

        return FilterValue.Of(negative ? -value : value);
    }

    private Token? Peek(int ahead = 0) => position + ahead < tokens.Count ? tokens[position + ahead] : null;

    private Token Next(string what) => position < tokens.Count ? tokens[position++] : throw Error($"expected {what} at the end");

    private bool PeekWord(string word, int ahead = 0) =>
        Peek(ahead) is { Kind: TokenKind.Identifier } t && (t.Text == word || (string.Equals(t.Text, word, StringComparison.OrdinalIgnoreCase) && t.Text.All(char.IsAsciiLetterUpper)));

    private bool AcceptWord(string word)
    {
        if (!PeekWord(word))
        {
            return false;
        }

        position++;
        return true;
    }

    private bool PeekSymbol(string symbol) => Peek() is { Kind: TokenKind.Symbol } t && t.Text == symbol;

    private bool AcceptSymbol(string symbol)
    {
        if (!PeekSymbol(symbol))
        {
            return false;
        }

        position++;
        return true;
    }

    private void Expect(string symbol)
    {
        if (!AcceptSymbol(symbol))
        {
            throw Error($"expected '{symbol}'");
        }
    }

    private FilterException Error(string detail) => new($"cannot parse expression: {text}, error: {detail}");

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            if (c is '"' or '\'')
            {
                var start = i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        throw new FilterException($"cannot parse expression: {text}, error: unterminated string literal");
                    }

                    var d = text[i];
                    if (d is '\r' or '\n')
                    {
                        throw new FilterException($"cannot parse expression: {text}, error: line break in string literal");
                    }

                    if (d == '\\')
                    {
                        i += 2;
                        continue;
                    }

                    i++;
                    if (d == c)
                    {
                        break;
                    }
                }

                tokens.Add(new Token(TokenKind.String, text[start..i]));
                continue;
            }

            if (char.IsAsciiLetter(c) || c == '_' || c == '$')
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                var word = text[start..i];
                if (word == "$meta")
                {
                    tokens.Add(new Token(TokenKind.Meta, word));
                }
                else if (word.StartsWith('$'))
                {
                    throw new FilterException($"cannot parse expression: {text}, error: unknown name {word}");
                }
                else
                {
                    tokens.Add(new Token(TokenKind.Identifier, word));
                }

                continue;
            }

            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            {
                var start = i++;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '.' or '_' || ((text[i] is '+' or '-') && text[i - 1] is 'e' or 'E' && !text[start..i].StartsWith("0x", StringComparison.OrdinalIgnoreCase))))
                {
                    i++;
                }

                tokens.Add(new Token(TokenKind.Number, text[start..i]));
                continue;
            }

            var two = i + 1 < text.Length ? text.Substring(i, 2) : string.Empty;
            if (two is "==" or "!=" or "<=" or ">=" or "&&" or "||")
            {
                tokens.Add(new Token(TokenKind.Symbol, two));
                i += 2;
                continue;
            }

            if (c is '<' or '>' or '!' or '(' or ')' or '[' or ']' or ',' or '-')
            {
                tokens.Add(new Token(TokenKind.Symbol, c.ToString()));
                i++;
                continue;
            }

            throw new FilterException($"cannot parse expression: {text}, error: unexpected character '{c}'");
        }

        return tokens;
    }
}
