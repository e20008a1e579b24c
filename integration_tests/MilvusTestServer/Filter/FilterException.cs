namespace MilvusTestServer.Filter;

/// <summary>A filter that does not parse or does not fit the schema; answered as Milvus code 1100.</summary>
public sealed class FilterException : Exception
{
    public FilterException(string message)
        : base(message)
    {
    }

    public FilterException()
    {
    }

    public FilterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
