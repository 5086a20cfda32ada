// Command infra is wmory's AWS infrastructure as an AWS CDK app: the
// registry stack (ECR, and the role GitHub Actions deploys with) and the
// application stack (VPC, RDS MySQL behind RDS Proxy, the bucket, the server
// on EC2, the thumbnail function). `cdk deploy` runs it; docs/deploy.md
// walks through a first deployment.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

func main() {
	defer jsii.Close()
	if err := run(os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "wmory infra:", err)
		os.Exit(1)
	}
}

func run(getenv func(string) string) error {
	script, err := os.ReadFile(filepath.Join("..", "deploy", "ec2", "deploy.sh"))
	if err != nil {
		return fmt.Errorf("the instance's deploy script (run from infra/): %w", err)
	}
	app := newApp(nil, "")
	// The account and region of the CDK command line's credentials; without
	// them the stacks are environment-agnostic (synth works, deploy asks).
	var env *awscdk.Environment
	if account, region := getenv("CDK_DEFAULT_ACCOUNT"), getenv("CDK_DEFAULT_REGION"); account != "" && region != "" {
		env = &awscdk.Environment{Account: jsii.String(account), Region: jsii.String(region)}
	}
	if _, _, err := newStacks(app, env, string(script)); err != nil {
		return err
	}
	app.Synth(nil)
	return nil
}

// flags are the CDK feature flags wmory's stacks are written for (the main
// and the tests' apps both use them); context from cdk.json or -c overrides.
func flags() map[string]any {
	return map[string]any{
		// Validation errors of the CloudFormation rules fail synthesis.
		"@aws-cdk/core:validateAgainstDefaultRules": true,
		"@aws-cdk/core:checkSecretUsage":            true,
		// The application stack imports the repository's name and ARN from
		// the registry stack, which then cannot drop them while in use.
		"@aws-cdk/core:defaultCrossStackReferences":        "strong",
		"@aws-cdk/aws-iam:minimizePolicies":                true,
		"@aws-cdk/aws-s3:publicAccessBlockedByDefault":     true,
		"@aws-cdk/aws-ec2:ebsDefaultGp3Volume":             true,
		"@aws-cdk/aws-rds:lowercaseDbIdentifier":           true,
		"@aws-cdk/aws-rds:databaseProxyUniqueResourceName": true,
		"@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy":  true,
		"@aws-cdk/aws-lambda:useCdkManagedLogGroup":        true,
	}
}

// newApp is the CDK app with wmory's flags and extra context, writing to
// outdir (empty: where the CDK command line says).
func newApp(context map[string]any, outdir string) awscdk.App {
	c := flags()
	for k, v := range context {
		c[k] = v
	}
	props := &awscdk.AppProps{Context: &c}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	return awscdk.NewApp(props)
}

// newStacks adds both stacks, checked against cdk-nag's AWS Solutions rules.
func newStacks(app awscdk.App, env *awscdk.Environment, deployScript string) (*registry, *application, error) {
	s, err := readSettings(app)
	if err != nil {
		return nil, nil, err
	}
	reg := newRegistryStack(app, "WmoryRegistry", &awscdk.StackProps{
		Env: env, Description: jsii.String("wmory: the image repository and the GitHub Actions deploy role"),
	}, s, functionName)
	a := newApplicationStack(app, "Wmory", &awscdk.StackProps{
		Env: env, Description: jsii.String("wmory at " + s.Domain + ": network, MySQL behind RDS Proxy, bucket, server, thumbnail function"),
	}, s, reg, deployScript)
	suppress(reg, a, s)
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	return reg, a, nil
}
