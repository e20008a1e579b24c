return await SupportSearch.Cli.SupportSearchCli.RunAsync(args, Console.Out, Console.Error, CancellationToken.None);
