namespace MilvusTestServer.Filter;

/// <summary>Gives the evaluator the values of one row.</summary>
public interface IFilterRow
{
    /// <summary>A schema field's value, optionally indexed into a JSON field (<c>meta["a"][0]</c>).</summary>
    FilterValue Field(string name, IReadOnlyList<object> path);

    /// <summary>A dynamic key (<c>$meta["k"]</c>, or a bare name that is not a schema field).</summary>
    FilterValue Dynamic(string key, IReadOnlyList<object> path);
}

/// <summary>A value-producing part of an expression.</summary>
public abstract record Operand
{
    public abstract FilterValue Evaluate(IFilterRow row);
}

public sealed record LiteralOperand(FilterValue Value) : Operand
{
    public override FilterValue Evaluate(IFilterRow row) => Value;
}

/// <summary>A schema field (with an optional JSON path).</summary>
public sealed record FieldOperand(string Name, string DataType, IReadOnlyList<object> Path) : Operand
{
    public override FilterValue Evaluate(IFilterRow row) => row.Field(Name, Path);
}

/// <summary>A dynamic key (with an optional JSON path below it).</summary>
public sealed record DynamicOperand(string Key, IReadOnlyList<object> Path) : Operand
{
    public override FilterValue Evaluate(IFilterRow row) => row.Dynamic(Key, Path);
}

/// <summary>
/// A boolean expression. Milvus up to 2.6 treats a comparison on a missing JSON key as false (so <c>not</c> of it is
/// true); master (3.0) treats it as UNKNOWN with SQL three-valued logic (<c>NOT UNKNOWN</c> is UNKNOWN, which does not
/// match): F7. <see cref="Evaluate"/> computes both; null is UNKNOWN.
/// </summary>
public abstract record FilterNode
{
    /// <summary>True when the row matches under two-valued logic (Milvus up to 2.6).</summary>
    public bool Matches(IFilterRow row) => Evaluate(row, missingIsUnknown: false) == true;

    /// <summary>True when the row matches; with <paramref name="missingIsUnknown"/>, under three-valued logic (master).</summary>
    public bool Matches(IFilterRow row, bool missingIsUnknown) => Evaluate(row, missingIsUnknown) == true;

    /// <summary>The expression's truth value; null (UNKNOWN) only with <paramref name="missingIsUnknown"/>.</summary>
    public abstract bool? Evaluate(IFilterRow row, bool missingIsUnknown);

    /// <summary>The value of a comparison whose operand is missing.</summary>
    protected static bool? OnMissing(bool missingIsUnknown) => missingIsUnknown ? null : false;
}

public sealed record CompareNode(string Op, Operand Left, Operand Right) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown)
    {
        var left = Left.Evaluate(row);
        var right = Right.Evaluate(row);
        if (left.Kind == FilterValueKind.Missing || right.Kind == FilterValueKind.Missing)
        {
            return OnMissing(missingIsUnknown);
        }

        var cmp = FilterValue.Compare(left, right);
        return cmp is { } c && Op switch
        {
            "==" => c == 0,
            "!=" => c != 0,
            "<" => c < 0,
            "<=" => c <= 0,
            ">" => c > 0,
            ">=" => c >= 0,
            _ => false,
        };
    }
}

public sealed record InNode(Operand Operand, IReadOnlyList<FilterValue> Values, bool Negated) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown)
    {
        var value = Operand.Evaluate(row);
        if (value.Kind == FilterValueKind.Missing)
        {
            return OnMissing(missingIsUnknown);
        }

        var found = Values.Any(v => FilterValue.Compare(value, v) == 0);
        return found != Negated;
    }
}

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown)
    {
        var left = Left.Evaluate(row, missingIsUnknown);
        if (left == false)
        {
            return false;
        }

        var right = Right.Evaluate(row, missingIsUnknown);
        return right == false ? false : left == true && right == true ? true : null;
    }
}

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown)
    {
        var left = Left.Evaluate(row, missingIsUnknown);
        if (left == true)
        {
            return true;
        }

        var right = Right.Evaluate(row, missingIsUnknown);
        return right == true ? true : left == false && right == false ? false : null;
    }
}

public sealed record NotNode(FilterNode Inner) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown) => !Inner.Evaluate(row, missingIsUnknown);
}

/// <summary><c>exists k</c>: whether the row has the key; never UNKNOWN, so it is how a filter reaches rows without a key under three-valued logic.</summary>
public sealed record ExistsNode(Operand Operand) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown) => Operand.Evaluate(row).Kind != FilterValueKind.Missing;
}

/// <summary>A bare boolean operand (<c>flag</c>, <c>true</c>).</summary>
public sealed record TruthNode(Operand Operand) : FilterNode
{
    public override bool? Evaluate(IFilterRow row, bool missingIsUnknown) => Operand.Evaluate(row) switch
    {
        { Kind: FilterValueKind.Missing } => OnMissing(missingIsUnknown),
        var value => value is { Kind: FilterValueKind.Bool, Bool: true },
    };
}
