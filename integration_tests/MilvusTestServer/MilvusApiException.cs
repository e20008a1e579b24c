namespace MilvusTestServer;

/// <summary>An error answered with Milvus's envelope <c>{"code":..,"message":..}</c> (HTTP 200 unless stated).</summary>
public sealed class MilvusApiException : Exception
{
    public MilvusApiException(int code, string message, int httpStatus = 200)
        : base(message)
    {
        Code = code;
        HttpStatus = httpStatus;
    }

    public MilvusApiException()
    {
    }

    public MilvusApiException(string message)
        : base(message)
    {
    }

    public MilvusApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Code { get; } = 65535;

    public int HttpStatus { get; } = 200;

    public static MilvusApiException CollectionNotFound(string db, string collection) =>
        new(100, $"collection not found[database={db}][collection={collection}]");

    public static MilvusApiException InvalidParameter(string detail) => new(1100, $"invalid parameter, {detail}");

    public static MilvusApiException MissingParameter(string detail) => new(1802, $"missing required parameters, error: {detail}");

    public static MilvusApiException InsertData(string detail) => new(1804, $"fail to deal the insert data, error: {detail}");
}
