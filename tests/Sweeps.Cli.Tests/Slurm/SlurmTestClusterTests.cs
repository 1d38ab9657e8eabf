namespace Sweeps.Cli.Tests.Slurm;

/// <summary>
/// The test Slurm itself (munged, slurmctld, slurmd on 127.0.0.1): a batch job runs a step with srun, <c>scancel</c>
/// signals a running job's processes, and <c>scontrol requeue</c> starts a <c>--requeue</c> job again with
/// <c>SLURM_RESTART_COUNT</c> set. The launcher's tests build on exactly these behaviours.
/// </summary>
[Collection(SlurmCollection.Name)]
public sealed class SlurmTestClusterTests(SlurmFixture slurm) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweeps-slurmjob-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Sbatch_TrivialJob_RunsOnTheNodeWithAStepPerNode()
    {
        var script = Script("trivial", """
            echo "nodes: $(scontrol show hostnames "$SLURM_JOB_NODELIST" | tr '\n' ' ')"
            srun --ntasks-per-node=1 bash -c 'echo "step $SLURM_STEP_ID task $SLURM_PROCID on $SLURMD_NODENAME"'
            """);
        var job = await slurm.Cluster.SubmitAsync(script);

        var end = await slurm.Cluster.WaitForStateAsync(job, TimeSpan.FromMinutes(2), "COMPLETED", "FAILED", "CANCELLED");

        Assert.Equal("COMPLETED", end["JobState"]);
        var output = File.ReadAllText(Path.Combine(_dir, $"trivial-{job}.out"));
        Assert.Contains($"nodes: {slurm.Cluster.Node} ", output, StringComparison.Ordinal);
        Assert.Contains($"step 0 task 0 on {slurm.Cluster.Node}", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scancel_RunningJob_SignalsTheBatchShellAndTheStepWithTerm()
    {
        var script = Script("cancel", """
            trap 'echo "batch got TERM"; wait; exit 143' TERM
            srun --ntasks=1 bash -c 'trap "echo step got TERM; exit 143" TERM; echo step running; sleep 300 & wait' &
            wait
            """);
        var job = await slurm.Cluster.SubmitAsync(script);
        await WaitForOutputAsync(job, "cancel", "step running");

        await slurm.Cluster.RunAsync("scancel", job);

        var end = await slurm.Cluster.WaitForStateAsync(job, TimeSpan.FromMinutes(2), "CANCELLED", "COMPLETED", "FAILED");
        Assert.Equal("CANCELLED", end["JobState"]);
        var output = File.ReadAllText(Path.Combine(_dir, $"cancel-{job}.out"));
        Assert.Contains("batch got TERM", output, StringComparison.Ordinal);
        Assert.Contains("step got TERM", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requeue_RunningJob_RunsTheScriptAgainWithRestartCount()
    {
        var script = Script("requeue", """
            echo "run ${SLURM_RESTART_COUNT:-0}"
            if [[ "${SLURM_RESTART_COUNT:-0}" == 0 ]]; then sleep 300; fi
            """, "--requeue", "--open-mode=append");
        var job = await slurm.Cluster.SubmitAsync(script);
        await WaitForOutputAsync(job, "requeue", "run 0");

        await slurm.Cluster.RunAsync("scontrol", "requeue", job);

        var end = await slurm.Cluster.WaitForStateAsync(job, TimeSpan.FromMinutes(2), "COMPLETED", "FAILED", "CANCELLED");
        Assert.Equal("COMPLETED", end["JobState"]);
        Assert.Equal("1", end["Restarts"]);
        var output = File.ReadAllText(Path.Combine(_dir, $"requeue-{job}.out"));
        Assert.Contains("run 0", output, StringComparison.Ordinal);
        Assert.Contains("run 1", output, StringComparison.Ordinal);
    }

    private string Script(string name, string body, params string[] directives)
    {
        var path = Path.Combine(_dir, name + ".sbatch");
        var extra = string.Concat(directives.Select(d => $"#SBATCH {d}\n"));
        File.WriteAllText(path, $"#!/bin/bash\n#SBATCH --job-name={name}\n#SBATCH --output={_dir}/{name}-%j.out\n{extra}{body}\n");
        return path;
    }

    private async Task WaitForOutputAsync(string job, string name, string text)
    {
        var path = Path.Combine(_dir, $"{name}-{job}.out");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!(File.Exists(path) && File.ReadAllText(path).Contains(text, StringComparison.Ordinal)))
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                Assert.Fail($"job {job} did not print '{text}' in 2 minutes\n{(File.Exists(path) ? File.ReadAllText(path) : "(no output)")}\n{slurm.Cluster.Logs()}");
            }

            await Task.Delay(200);
        }
    }
}
