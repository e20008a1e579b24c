using Destination.Milvus.Protocol;

namespace Destination.Milvus;

/// <summary>A parsed command line: the command and its file options.</summary>
/// <param name="Name"><c>spec</c>, <c>check</c>, <c>write</c>, <c>preview</c> or <c>help</c>.</param>
/// <param name="ConfigPath">The <c>--config</c> file (check, write).</param>
/// <param name="CatalogPath">The <c>--catalog</c> file (write, preview).</param>
internal sealed record CommandLine(string Name, string? ConfigPath, string? CatalogPath)
{
    /// <summary>Parses <c>spec | check --config F | write --config F --catalog F</c>; options also as <c>--config=F</c>.</summary>
    public static CommandLine Parse(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            throw new UsageException("No command given.");
        }

        var name = args[0];
        if (name is "--help" or "-h" or "help")
        {
            return new CommandLine("help", null, null);
        }

        if (name is not ("spec" or "check" or "write" or "preview"))
        {
            throw new UsageException($"Unknown command '{name}'.");
        }

        string? config = null;
        string? catalog = null;
        for (var i = 1; i < args.Count; i++)
        {
            var arg = args[i];
            var (option, value) = arg.Split('=', 2) is [var o, var v] && o.StartsWith("--", StringComparison.Ordinal) ? (o, v) : (arg, null);
            if (option is not ("--config" or "--catalog") || (option == "--catalog" && name is not ("write" or "preview")) || name == "spec")
            {
                throw new UsageException($"Unexpected argument '{arg}' for command '{name}'.");
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new UsageException($"Option {option} needs a file path.");
                }

                value = args[++i];
            }

            if (value.Length == 0)
            {
                throw new UsageException($"Option {option} needs a file path.");
            }

            if (option == "--config")
            {
                config = value;
            }
            else
            {
                catalog = value;
            }
        }

        if (name != "spec" && config is null)
        {
            throw new UsageException($"Command '{name}' needs --config <config.json>.");
        }

        if (name is "write" or "preview" && catalog is null)
        {
            throw new UsageException($"Command '{name}' needs --catalog <catalog.json>.");
        }

        return new CommandLine(name, config, catalog);
    }
}
