using SupportSearch.Demo;

DemoOptions options;
try
{
    options = DemoOptions.Parse(args);
}
catch (FormatException e)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine(DemoOptions.Usage);
    return 2;
}

if (options.Help)
{
    Console.WriteLine(DemoOptions.Usage);
    return 0;
}

return await SupportSearchDemo.RunAsync(options, Console.Out, CancellationToken.None);
