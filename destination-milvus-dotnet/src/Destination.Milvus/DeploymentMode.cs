namespace Destination.Milvus;

/// <summary>
/// Airbyte sets <c>DEPLOYMENT_MODE=cloud</c> on Airbyte Cloud. There, as in the Python connector, the connector must
/// not send data or credentials over plain HTTP: Milvus needs https and authentication, and an OpenAI-compatible
/// embedding server needs an https <c>base_url</c>.
/// </summary>
public static class DeploymentMode
{
    /// <summary>True when the environment variable says the connector runs on Airbyte Cloud.</summary>
    public static bool IsCloud(string? value) => string.Equals(value?.Trim(), "cloud", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when this process runs on Airbyte Cloud.</summary>
    public static bool IsCloudProcess => IsCloud(Environment.GetEnvironmentVariable("DEPLOYMENT_MODE"));
}
