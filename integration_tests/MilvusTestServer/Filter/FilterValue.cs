using System.Text.Json;
using System.Text.Json.Nodes;

namespace MilvusTestServer.Filter;

/// <summary>A value seen by the filter evaluator: missing, a number, a string, a bool, or other JSON.</summary>
public readonly record struct FilterValue(FilterValueKind Kind, long Int, double Float, string? Text, bool Bool, JsonNode? Json)
{
    public static FilterValue Missing => default;

    public static FilterValue Of(long v) => new(FilterValueKind.Int, v, v, null, false, null);

    public static FilterValue Of(double v) => new(FilterValueKind.Float, 0, v, null, false, null);

    public static FilterValue Of(string v) => new(FilterValueKind.String, 0, 0, v, false, null);

    public static FilterValue Of(bool v) => new(FilterValueKind.Bool, 0, 0, null, v, null);

    public bool IsNumber => Kind is FilterValueKind.Int or FilterValueKind.Float;

    /// <summary>Converts a stored JSON value.</summary>
    public static FilterValue FromJson(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return node is null ? Missing : new FilterValue(FilterValueKind.Other, 0, 0, null, false, node);
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return Of(value.GetValue<string>());
            case JsonValueKind.True:
                return Of(true);
            case JsonValueKind.False:
                return Of(false);
            case JsonValueKind.Number:
                if (value.TryGetValue<long>(out var l))
                {
                    return Of(l);
                }

                if (value.TryGetValue<int>(out var i))
                {
                    return Of(i);
                }

                if (value.TryGetValue<double>(out var d))
                {
                    return d == Math.Floor(d) && Math.Abs(d) < 9e15 ? Of((long)d) : Of(d);
                }

                if (value.TryGetValue<float>(out var f))
                {
                    return Of((double)f);
                }

                var element = JsonSerializer.SerializeToElement(value);
                return element.TryGetInt64(out var li) ? Of(li) : Of(element.GetDouble());
            default:
                return Missing;
        }
    }

    /// <summary>Three-way comparison; null when the values are not comparable (different kinds, missing).</summary>
    public static int? Compare(FilterValue a, FilterValue b)
    {
        if (a.IsNumber && b.IsNumber)
        {
            if (a.Kind == FilterValueKind.Int && b.Kind == FilterValueKind.Int)
            {
                return a.Int.CompareTo(b.Int);
            }

            return a.Float.CompareTo(b.Float);
        }

        if (a.Kind == FilterValueKind.String && b.Kind == FilterValueKind.String)
        {
            return string.CompareOrdinal(a.Text, b.Text);
        }

        if (a.Kind == FilterValueKind.Bool && b.Kind == FilterValueKind.Bool)
        {
            return a.Bool.CompareTo(b.Bool);
        }

        return null;
    }
}

public enum FilterValueKind
{
    Missing,
    Int,
    Float,
    String,
    Bool,
    Other,
}
