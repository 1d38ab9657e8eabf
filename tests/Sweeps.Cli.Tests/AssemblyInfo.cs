// These tests run real Linux processes (the CLI, Slurm's daemons, bash, systemd-analyze): Linux only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
