"""Expand a SAM template with AWS's own translator, as CloudFormation would.

Reads templates as JSON (intrinsics in their long form), one a line, on
stdin and writes each expanded, as {"template": …} or {"error": …}, one a
line, on stdout. Managed policies named
without an ARN are taken to be AWS managed policies, which is what the
translator's IAM lookup would answer for the names the corpus uses; nothing
here reaches the network.
"""
import json
import os
import sys

# The translator asks boto for the region; a fixed one keeps it off the network.
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")

from samtranslator.translator.transform import transform


class AWSManagedPolicies:
    def load(self):
        return {}


class NamedPolicies(dict):
    def __missing__(self, name):
        # AWS's Lambda execution policies live under service-role/.
        if name.startswith("AWSLambda") and name.endswith("ExecutionRole"):
            name = "service-role/" + name
        return "arn:aws:iam::aws:policy/" + name


class Loader:
    def load(self):
        return NamedPolicies()


# Local code paths are what `sam package` uploads; the translator takes only
# S3 URIs, so each becomes one in this bucket, its key the path as written.
# SAM's default, when a function names no code, is the template's folder.
LOCAL = "s3://sam-local-code/"


def localise(props, key, default=None):
    value = props.get(key, default)
    if isinstance(value, str) and not value.startswith("s3://"):
        props[key] = LOCAL + value


def expand(template):
    global_fn = template.get("Globals", {}).get("Function", {})
    localise(global_fn, "CodeUri")
    for res in template.get("Resources", {}).values():
        props = res.setdefault("Properties", {}) if isinstance(res, dict) else {}
        kind = res.get("Type") if isinstance(res, dict) else None
        if kind == "AWS::Serverless::Function":
            code = ("CodeUri", "InlineCode", "ImageUri")
            missing = not any(k in props or k in global_fn for k in code) and props.get("PackageType") != "Image"
            localise(props, "CodeUri", "." if missing else None)
        elif kind == "AWS::Serverless::LayerVersion":
            localise(props, "ContentUri")
        elif kind in ("AWS::Serverless::StateMachine", "AWS::Serverless::Api", "AWS::Serverless::HttpApi"):
            localise(props, "DefinitionUri")
    return transform(template, {}, Loader())


def main():
    # One template a line, one answer a line: the translator takes seconds
    # to load, so a test starts it once for every template.
    for line in sys.stdin:
        try:
            answer = {"template": expand(json.loads(line))}
        except Exception as e:  # the test shows the translator's complaint
            answer = {"error": repr(e)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
