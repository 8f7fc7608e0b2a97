using ReviewWatch.Functions;

// The Azure Functions custom handler: see HandlerApp for what it serves.
var app = HandlerApp.Build(args);
app.Run();
