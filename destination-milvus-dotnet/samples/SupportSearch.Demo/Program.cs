return await SupportSearch.Demo.SupportSearchDemo.RunAsync(Console.Out, CancellationToken.None);
