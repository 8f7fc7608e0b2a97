using ReviewWatch.DevHost.Commands;

// The product's command line (./reviewwatch passes its subcommands here).
var cli = new CommandLine(args);
var command = args.Length > 0 ? args[0] : "help";
return command switch
{
    "run" => await RunCommand.RunAsync(cli),
    "import" => await ImportCommand.RunAsync(cli),
    "sentiment" => await SentimentCommands.RunAsync(cli, Console.In, Console.Out),
    "sentiment-eval" => await SentimentCommands.EvalAsync(cli, Console.Out),
    "bench-sentiment" => SentimentCommands.Bench(cli, Console.Out),
    "google" => await GoogleCommands.RunAsync(cli, args),
    "bench-google" => await GoogleCommands.BenchAsync(cli),
    "digest" => await DigestCommands.PreviewAsync(cli),
    "bench-digest" => await DigestCommands.BenchAsync(cli),
    "bench" => await BenchCommands.RunAsync(cli, args),
    _ => Help(),
};

static int Help()
{
    Console.Error.WriteLine("""
        usage: reviewwatch <command> [options]

          run                      run the app locally on its embedded defaults (Azurite, built-in analyzer, sample data)
                                   [--port 7071] [--app-root DIR] [--settings FILE] [--storage CONNECTION] [--sample DIR]
          import --file F --business B --location L [--storage CONNECTION]
                                   backfill reviews from a file in the Google Business Profile v4 Review shape
          sentiment [--settings FILE]
                                   JSON Lines on stdin {"id","text","lang"?,"rating"?} → one JSON line per input on stdout
                                   (label, score, language, touchpoints, flag, severity); analyzer from Sentiment__Analyzer
          sentiment-eval [--data DIR] [--fi FILE] [--set trustpilot|fi|all] [--errors N]
                                   accuracy, macro-F1 and confusion matrices on the evaluation sets
          bench-sentiment [--docs N]
                                   built-in analyzer throughput, one thread, after a warm-up
          google connect|locations|notifications   connect to Google Business Profile (docs/google.md)
          bench-google [--count 100] [--mode push|poll|both] [--interval-ms 500]
                                   review → case latency through push and polling, against a fake Google
          digest --business B [--week 2026-W47] [--format text|json|html|page] [--storage CONNECTION]
                                   print a week's digest (html: the email; page: the staff page)
          bench-digest [--locations 100] [--reviews 200000] [--storage CONNECTION]
                                   seed a year of reviews into Azurite and time the digest build
          bench load|chaos|fuzz    the reliability suite: throughput and latency, chaos invariants, endpoint fuzzing
                                   (docs/reliability.md; bench <sub> --help for options)
          test                     (in ./reviewwatch) set up and run every test
        """);
    return 2;
}
