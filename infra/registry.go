package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// instanceRoleTag marks the instances the CD workflow deploys to through SSM
// (its WMORY_INSTANCE_TAG variable); the deploy role may command no others.
const (
	instanceRoleTagKey   = "wmory:role"
	instanceRoleTagValue = "app"
)

// githubOIDC is GitHub Actions' token issuer.
const (
	githubOIDCHost = "token.actions.githubusercontent.com"
	githubOIDCURL  = "https://" + githubOIDCHost
)

// registry is the first stack: what must exist before there is an image to
// run (the repository, and the role GitHub Actions pushes and deploys with).
// The application stack starts its function from an image in it, so the
// image is pushed between the two.
type registry struct {
	awscdk.Stack
	Repository awsecr.Repository
	DeployRole awsiam.Role
}

func newRegistryStack(scope constructs.Construct, id string, props *awscdk.StackProps, s settings, functionName string) *registry {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	r := &registry{Stack: stack}

	removal := awscdk.RemovalPolicy_DESTROY
	if s.DeletionProtection {
		removal = awscdk.RemovalPolicy_RETAIN
	}
	r.Repository = awsecr.NewRepository(stack, jsii.String("Repository"), &awsecr.RepositoryProps{
		RepositoryName:  jsii.String("wmory"),
		ImageScanOnPush: jsii.Bool(true),
		// latest moves with main; commit tags never change in practice.
		ImageTagMutability: awsecr.TagMutability_MUTABLE,
		Encryption:         awsecr.RepositoryEncryption_AES_256(),
		RemovalPolicy:      removal,
		EmptyOnDelete:      jsii.Bool(!s.DeletionProtection),
		LifecycleRules: &[]*awsecr.LifecycleRule{{
			Description:   jsii.String("keep the last 30 images: enough to roll back, not a growing bill"),
			MaxImageCount: jsii.Number(30),
		}},
	})

	var provider awsiam.IOidcProvider
	if s.GitHubOIDCProvider != "" {
		provider = awsiam.OidcProviderNative_FromOidcProviderArn(stack, jsii.String("GitHub"), jsii.String(s.GitHubOIDCProvider))
	} else {
		provider = awsiam.NewOidcProviderNative(stack, jsii.String("GitHub"), &awsiam.OidcProviderNativeProps{
			Url:       jsii.String(githubOIDCURL),
			ClientIds: jsii.Strings("sts.amazonaws.com"),
		})
	}
	// Only a workflow run of this repository on main gets the role: the
	// subject GitHub signs is exactly repo:OWNER/NAME:ref:refs/heads/main (a
	// job with an environment would be signed differently and is refused).
	r.DeployRole = awsiam.NewRole(stack, jsii.String("DeployRole"), &awsiam.RoleProps{
		Description: jsii.String("GitHub Actions on " + s.GitHub + "@main: push wmory's image, deploy it through SSM, update the thumbnail function"),
		AssumedBy: awsiam.NewWebIdentityPrincipal(provider.OidcProviderArn(), &map[string]any{
			"StringEquals": map[string]any{
				githubOIDCHost + ":aud": "sts.amazonaws.com",
				githubOIDCHost + ":sub": "repo:" + s.GitHub + ":ref:refs/heads/main",
			},
		}),
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	role := r.DeployRole
	// Docker's login to ECR: the only form this action takes is "*".
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecr:GetAuthorizationToken"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings(
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
			"ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"),
		Resources: &[]*string{r.Repository.RepositoryArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("ssm:SendCommand"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ssm"), Account: jsii.String(""), Resource: jsii.String("document"), ResourceName: jsii.String("AWS-RunShellScript"),
		})},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("ssm:SendCommand"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ec2"), Resource: jsii.String("instance"), ResourceName: jsii.String("*"),
		})},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"ssm:resourceTag/" + instanceRoleTagKey: instanceRoleTagValue},
		},
	}))
	// Reading a command's outcome has no resource-level form.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ssm:ListCommandInvocations", "ssm:ListCommands"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("lambda"), Resource: jsii.String("function"), ResourceName: jsii.String(functionName),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
	}))

	awscdk.NewCfnOutput(stack, jsii.String("RepositoryName"), &awscdk.CfnOutputProps{
		Value: r.Repository.RepositoryName(), Description: jsii.String("the repository variable ECR_REPOSITORY"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("RepositoryUri"), &awscdk.CfnOutputProps{Value: r.Repository.RepositoryUri()})
	awscdk.NewCfnOutput(stack, jsii.String("DeployRoleArn"), &awscdk.CfnOutputProps{
		Value: role.RoleArn(), Description: jsii.String("the repository variable AWS_DEPLOY_ROLE_ARN"),
	})
	return r
}
