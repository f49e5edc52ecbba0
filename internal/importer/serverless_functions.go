package importer

// The Framework's functions: names, settings and defaults.

import (
	"path"
	"strings"

	"github.com/switchboard-dev/switchboard/internal/cfn"
)

// functionName is a function's physical name: its name setting, or
// <service>-<stage>-<key>.
func (c *slsCompile) functionName(key string) *cfn.Value {
	if n := c.fns[key].Get("name"); n != nil {
		return n
	}
	return cfn.Str(c.service + "-" + c.stage + "-" + key)
}

func (c *slsCompile) logsDisabled(key string) bool {
	off, _ := c.fns[key].Get("disableLogs").Bool()
	return off
}

// functions compiles each function (compile/functions.js): its settings
// over the provider's, the Framework's defaults where both are silent.
func (c *slsCompile) functions() error {
	for _, key := range c.keys {
		if err := c.im.stopped(); err != nil {
			return err
		}
		fv := c.fns[key]
		props, err := c.im.serverlessFunction(key, fv, c.provider)
		if err != nil {
			return err
		}
		props.Set("FunctionName", c.functionName(key))
		props.Reorder([]string{"Code", "Handler", "Runtime", "FunctionName", "MemorySize", "Timeout"})
		r := compiledResource(typeFunction, props)
		if v := fv.Get("condition"); v != nil {
			r.Set("Condition", v)
		}
		if v := fv.Get("ephemeralStorageSize"); v != nil {
			props.Set("EphemeralStorage", cfn.MapOf("Size", v))
		}
		if arn := fv.Get("onError"); arn != nil {
			props.Set("DeadLetterConfig", cfn.MapOf("TargetArn", arn))
			if _, ok := arn.Str(); ok {
				c.allow(false, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("sns:Publish"), "Resource", cfn.ListOf(arn)))
			}
		}
		kms := fv.Get("kmsKeyArn")
		if kms == nil {
			kms = c.provider.Get("kmsKeyArn")
		}
		if kms != nil {
			props.Set("KmsKeyArn", kms)
			if _, ok := kms.Str(); ok {
				c.allow(true, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("kms:Decrypt"), "Resource", cfn.ListOf(kms)))
			}
		}
		tracing := fv.Get("tracing")
		if tracing == nil {
			tracing = c.provider.Path("tracing", "lambda")
		}
		if on, isBool := tracing.Bool(); tracing != nil && (!isBool || on) {
			mode := tracing
			if isBool {
				mode = cfn.Str("Active")
			}
			props.Set("TracingConfig", cfn.MapOf("Mode", mode))
			c.allow(true, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords"), "Resource", cfn.Strings("*")))
		}
		props.Set("Role", c.roles[key])
		if vpc := fv.Get("vpc"); vpc == nil || vpc.Kind == cfn.Map {
			pick := func(k string) *cfn.Value {
				if v := vpc.Get(k); v != nil {
					return v
				}
				return c.provider.Path("vpc", k)
			}
			if sg, sn := pick("securityGroupIds"), pick("subnetIds"); sg != nil && sn != nil {
				props.Set("VpcConfig", cfn.MapOf("SecurityGroupIds", sg, "SubnetIds", sn))
			}
		}
		if fs := fv.Get("fileSystemConfig"); fs != nil {
			if props.Get("VpcConfig") == nil {
				return c.im.errorAt(fs.Pos, "function %s: a fileSystemConfig needs a vpc, the function's or the provider's", key)
			}
			c.allow(false, cfn.MapOf("Effect", cfn.Str("Allow"), "Action", cfn.Strings("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"), "Resource", cfn.ListOf(fs.Get("arn"))))
			props.Set("FileSystemConfigs", cfn.ListOf(cfn.MapOf("Arn", fs.Get("arn"), "LocalMountPath", fs.Get("localMountPath"))))
		}
		if v := fv.Get("reservedConcurrency"); v != nil {
			props.Set("ReservedConcurrentExecutions", v)
		}
		var dependsOn []*cfn.Value
		if !c.logsDisabled(key) {
			dependsOn = append(dependsOn, cfn.Str(frameworkName(key)+"LogGroup"))
		}
		dependsOn = append(dependsOn, valueList(fv.Get("dependsOn"))...)
		if len(dependsOn) > 0 {
			r.Set("DependsOn", cfn.ListOf(dependsOn...))
		}
		if v := fv.Get("layers"); v != nil {
			props.Set("Layers", v)
		} else if v := c.provider.Get("layers"); v != nil {
			props.Set("Layers", v.Clone())
		}
		c.add(frameworkFunctionID(key), r)
	}
	return nil
}

// serverlessFunction builds a function's properties from its settings and
// the provider's.
func (im *importer) serverlessFunction(key string, fv, provider *cfn.Value) (*cfn.Value, error) {
	props := &cfn.Value{Kind: cfn.Map, Pos: fv.Pos}
	handler, ok := fv.Get("handler").Str()
	if !ok {
		if fv.Get("image") != nil {
			return nil, im.errorAt(fv.Pos, "function %s runs a container image, which Switchboard does not model", key)
		}
		return nil, im.errorAt(fv.Pos, "function %s has no handler", key)
	}
	// The Framework packages the service folder, the serverless.yml's:
	// handler: src/handlers/connect.handler → code in src/handlers,
	// handler connect.handler; handler: handler.echo → code in the
	// service folder itself.
	dir, file := path.Split(handler)
	if dir = strings.TrimSuffix(dir, "/"); dir != "" {
		props.Set("Code", cfn.Str(dir))
	} else {
		props.Set("Code", cfn.Str("."))
	}
	props.Set("Handler", cfn.Str(file))
	pick := func(k string) *cfn.Value {
		if v := fv.Get(k); v != nil {
			return v
		}
		return provider.Get(k)
	}
	if v := pick("runtime"); v != nil {
		props.Set("Runtime", v)
	} else {
		props.Set("Runtime", cfn.Str(serverlessRuntime))
	}
	mem, timeout := pick("memorySize"), pick("timeout")
	if mem == nil {
		mem = cfn.Int(serverlessMemorySize)
	}
	if timeout == nil {
		timeout = cfn.Int(serverlessTimeout)
	}
	props.Set("MemorySize", mem)
	props.Set("Timeout", timeout)
	if v := pick("architecture"); v != nil {
		props.Set("Architectures", cfn.ListOf(v))
	}
	if d := fv.Get("description"); d != nil {
		props.Set("Description", d)
	}
	// The Framework tags each function with the provider's tags and its
	// own, its own winning.
	tags := &cfn.Value{Kind: cfn.Map}
	for _, t := range []*cfn.Value{provider.Get("tags"), fv.Get("tags")} {
		if t == nil {
			continue
		}
		if t.Kind != cfn.Map {
			return nil, im.errorAt(t.Pos, "function %s: tags must be a map of names to values", key)
		}
		for i, k := range t.Keys {
			tags.Set(k, t.Items[i])
		}
	}
	if len(tags.Keys) > 0 {
		list := &cfn.Value{Kind: cfn.List}
		for i, k := range tags.Keys {
			list.Items = append(list.Items, cfn.MapOf("Key", cfn.Str(k), "Value", tags.Items[i]))
		}
		props.Set("Tags", list)
	}
	vars := &cfn.Value{Kind: cfn.Map}
	for _, env := range []*cfn.Value{provider.Get("environment"), fv.Get("environment")} {
		if env == nil {
			continue
		}
		if env.Kind != cfn.Map {
			return nil, im.errorAt(env.Pos, "function %s: environment must be a map of names to values", key)
		}
		for i, k := range env.Keys {
			vars.Set(k, env.Items[i])
		}
	}
	if len(vars.Keys) > 0 {
		props.Set("Environment", cfn.MapOf("Variables", vars))
	}
	return props, nil
}

// serverlessRuntime is the Framework 3.40's runtime where none is given.
const serverlessRuntime = "nodejs16.x"
