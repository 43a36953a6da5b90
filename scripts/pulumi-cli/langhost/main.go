// Command pulumi-language-nodejs is a minimal Node.js language host for the
// real Pulumi CLI, used because the Go module proxy refuses the upstream
// host's module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
// has no tags, and its pseudo-version for v3.248.0's commit answers
// "403 Forbidden: This module version is not available"; see
// docs/pulumi.md). The CLI itself is the real one.
//
// It does one thing the engine needs for `preview`, `up`, `refresh` and
// `destroy`: Run starts the program with @pulumi/pulumi's own launcher
// (node_modules/@pulumi/pulumi/cmd/run), passing the engine's run request as
// that launcher's flags and PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS, as the
// upstream host does. Every other RPC answers Unimplemented, which the engine
// treats as "nothing to report" (required plugins, dependencies) — so plugin
// installation (`pulumi install`) and `pulumi new` are not supported.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// version is set with -ldflags by scripts/pulumi-cli.sh to the CLI's version.
var version = "3.248.0"

// exitUserActionable is the exit code @pulumi/pulumi's launcher uses after it
// has already logged an error for the user; the engine must then not add a
// second, generic "program exited" error (RunResponse.bail).
const exitUserActionable = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	tracing := flag.String("tracing", "", "Zipkin-compatible tracing endpoint (passed on to the program)")
	// Flags older and newer engines may pass; accepted and ignored.
	flag.String("root", "", "ignored")
	flag.Bool("typescript", true, "ignored: read from the project's runtime options")
	flag.Parse()

	h := &host{tracing: *tracing}
	if flag.NArg() > 0 {
		h.engineAddress = flag.Arg(0)
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(s *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(s, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: cannot serve: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: stopped serving: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// Run executes the program once (preview, update, refresh or destroy).
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	if info != nil && info.GetProgramDirectory() != "" {
		programDir = info.GetProgramDirectory()
	}
	runPath, err := findLauncher(programDir)
	if err != nil {
		return nil, err
	}
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}

	args := []string{runPath}
	flagIf := func(name, value string) {
		if value != "" {
			args = append(args, "--"+name, value)
		}
	}
	flagIf("monitor", req.GetMonitorAddress())
	flagIf("engine", h.engineAddress)
	flagIf("organization", req.GetOrganization())
	flagIf("project", req.GetProject())
	flagIf("stack", req.GetStack())
	flagIf("pwd", req.GetPwd())
	if info != nil {
		flagIf("root-directory", info.GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	flagIf("parallel", strconv.Itoa(int(req.GetParallel())))
	flagIf("tracing", h.tracing)
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configJSON, err := json.Marshal(nonNil(req.GetConfig()))
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	env := append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
	)
	env = append(env, runtimeOptionEnv(info)...)

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = env
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == exitUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// findLauncher finds @pulumi/pulumi's cmd/run the way Node's resolution would
// from the program directory: the nearest node_modules walking up.
func findLauncher(dir string) (string, error) {
	if override := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); override != "" {
		return override, nil
	}
	start, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := start; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", "run")
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	return "", fmt.Errorf("@pulumi/pulumi is not installed in %s or a parent directory: run npm install", start)
}

// runtimeOptionEnv maps Pulumi.yaml's runtime options to the launcher's
// environment: typescript (default true) and tsconfig.
func runtimeOptionEnv(info *pulumirpc.ProgramInfo) []string {
	typescript := true
	var env []string
	if info != nil && info.GetOptions() != nil {
		fields := info.GetOptions().GetFields()
		if v, ok := fields["typescript"]; ok {
			if b, isBool := v.GetKind().(*structpb.Value_BoolValue); isBool {
				typescript = b.BoolValue
			}
		}
		if v, ok := fields["tsconfig"]; ok && v.GetStringValue() != "" {
			env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+v.GetStringValue())
		}
	}
	return append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
