namespace Destination.Milvus.Check;

/// <summary>
/// Whether the connector runs on Airbyte Cloud. There, as in the Python connector, the connector must not send data or
/// credentials over plain HTTP: Milvus needs https and authentication, and an OpenAI-compatible embedding server needs
/// an https <c>base_url</c>. The platform sets <c>DEPLOYMENT_MODE=CLOUD</c> only in sync pods, but
/// <c>AIRBYTE_EDITION=CLOUD</c> in every pod, so both are read: the rules fire in <c>check</c> too.
/// </summary>
internal static class DeploymentMode
{
    /// <summary>True when an environment value (<c>DEPLOYMENT_MODE</c> or <c>AIRBYTE_EDITION</c>) says Cloud, in any case.</summary>
    public static bool IsCloud(string? value) => string.Equals(value?.Trim(), "cloud", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when the environment read through <paramref name="lookup"/> says the connector runs on Airbyte Cloud.</summary>
    public static bool IsCloudEnvironment(Func<string, string?> lookup)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        return IsCloud(lookup("DEPLOYMENT_MODE")) || IsCloud(lookup("AIRBYTE_EDITION"));
    }

    /// <summary>True when this process runs on Airbyte Cloud.</summary>
    public static bool IsCloudProcess => IsCloudEnvironment(Environment.GetEnvironmentVariable);
}
