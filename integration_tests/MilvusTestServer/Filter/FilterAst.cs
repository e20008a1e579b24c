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

/// <summary>A boolean expression.</summary>
public abstract record FilterNode
{
    public abstract bool Matches(IFilterRow row);
}

public sealed record CompareNode(string Op, Operand Left, Operand Right) : FilterNode
{
    public override bool Matches(IFilterRow row)
    {
        var cmp = FilterValue.Compare(Left.Evaluate(row), Right.Evaluate(row));
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
    public override bool Matches(IFilterRow row)
    {
        var value = Operand.Evaluate(row);
        if (value.Kind == FilterValueKind.Missing)
        {
            return false;
        }

        var found = Values.Any(v => FilterValue.Compare(value, v) == 0);
        return found != Negated;
    }
}

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override bool Matches(IFilterRow row) => Left.Matches(row) && Right.Matches(row);
}

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode
{
    public override bool Matches(IFilterRow row) => Left.Matches(row) || Right.Matches(row);
}

public sealed record NotNode(FilterNode Inner) : FilterNode
{
    public override bool Matches(IFilterRow row) => !Inner.Matches(row);
}

/// <summary>A bare boolean operand (<c>flag</c>, <c>true</c>).</summary>
public sealed record TruthNode(Operand Operand) : FilterNode
{
    public override bool Matches(IFilterRow row) => Operand.Evaluate(row) is { Kind: FilterValueKind.Bool, Bool: true };
}
