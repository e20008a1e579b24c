var app = SupportSearch.Web.SupportSite.Build(args);
await app.RunAsync();
