package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppress records, beside each finding of cdk-nag's AWS Solutions rules
// that this design accepts, why. Each names the resource and, for
// wildcards, the exact resource it allows; anything new is still reported.
func suppress(reg *registry, a *application, s settings) {
	on := func(c constructs.IConstruct, id, reason string, appliesTo ...string) {
		sup := &cdknag.NagPackSuppression{Id: jsii.String(id), Reason: jsii.String(reason)}
		if len(appliesTo) > 0 {
			at := make([]any, len(appliesTo))
			for i, v := range appliesTo {
				at[i] = v
			}
			sup.AppliesTo = &at
		}
		cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{sup}, jsii.Bool(true))
	}
	path := func(stack awscdk.Stack, p, id, reason string) {
		cdknag.NagSuppressions_AddResourceSuppressionsByPath(stack, jsii.String(p),
			&[]*cdknag.NagPackSuppression{{Id: jsii.String(id), Reason: jsii.String(reason)}}, jsii.Bool(true))
	}

	on(reg.DeployRole, "AwsSolutions-IAM5",
		"ecr:GetAuthorizationToken and ssm:ListCommands/ListCommandInvocations have no resource-level permissions; "+
			"ssm:SendCommand on instances is limited by the condition on their wmory:role tag",
		"Resource::*", "Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:instance/*")

	on(a.Instance.Role(), "AwsSolutions-IAM4",
		"AmazonSSMManagedInstanceCore is the policy AWS maintains for the SSM agent (Run Command is how the CD workflow deploys, Session Manager how an operator logs in, without SSH)",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore")
	on(a.Instance.Role(), "AwsSolutions-IAM5",
		"ecr:GetAuthorizationToken has no resource-level permissions; the object actions cover this bucket's objects only, whose keys wmory chooses",
		"Resource::*", "Resource::<"+logicalID(a.Bucket)+".Arn>/*")
	on(a.Function.Role(), "AwsSolutions-IAM5",
		"a function in a VPC creates and deletes its network interfaces, actions without resource-level permissions; the object actions cover this bucket's objects only",
		"Resource::*", "Resource::<"+logicalID(a.Bucket)+".Arn>/*")
	path(a.Stack, "/Wmory/BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role/Resource", "AwsSolutions-IAM4",
		"CDK's own handler that sets the bucket's notification configuration at deploy time, with the basic execution policy CDK gives it")

	on(a.ServerSG, "AwsSolutions-EC23",
		"the server is the public web site: HTTPS from anyone, and HTTP for the certificate's challenge and the redirect to HTTPS")
	on(a.Instance, "AwsSolutions-EC29",
		"the server keeps no state (database and bucket hold everything) and a stack update replaces it on purpose when Amazon Linux releases a new image; termination protection would block that")
	on(a.Database, "AwsSolutions-RDS11",
		"the database has no route from outside the VPC and its security group admits only RDS Proxy; clients reach the proxy, which listens on MySQL's port whatever the database's")
	if !s.MultiAZ {
		on(a.Database, "AwsSolutions-RDS3",
			"a standby doubles the database's cost for a small group; deploy with -c multiAz=true for automatic fail-over")
	}
	if !s.DeletionProtection {
		on(a.Database, "AwsSolutions-RDS10",
			"deletion protection was turned off on purpose for a throwaway stack (-c deletionProtection=false)")
	}
	on(a.Database.Node().FindChild(jsii.String("Secret")), "AwsSolutions-SMG4",
		"the server reads the password at each deploy and the function gets it at deploy time; a rotation takes effect with the next deploy, so it is run by hand (docs/deploy.md) rather than on a schedule that would cut both off")
	on(a.Smtp, "AwsSolutions-SMG4",
		"the SMTP credentials belong to an outside mail service the operator sets; Secrets Manager cannot rotate them")
}

// logicalID is a resource's logical ID as cdk-nag names it in findings.
func logicalID(c constructs.IConstruct) string {
	child := c.Node().DefaultChild().(awscdk.CfnElement)
	return *awscdk.Stack_Of(c).GetLogicalId(child)
}
