// Entry point of the `sweeps` command line (run through ./sweeps.sh, or `dotnet Sweeps.Cli.dll`).
return Sweeps.Cli.SweepsCommand.Invoke(args);
