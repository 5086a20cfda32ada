package main

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

// caddyImage terminates TLS in front of wmory with a certificate it obtains
// and renews for the domain by itself.
const caddyImage = "caddy:2"

// newServer is the EC2 instance that runs `wmory serve` in Docker behind
// Caddy. It keeps nothing of its own (the database and the bucket hold
// everything), so it may be replaced at any time: a new Amazon Linux image
// replaces it at the next stack update, and it comes back at the same address.
func newServer(stack awscdk.Stack, s settings, reg *registry, vpc awsec2.Vpc, sg awsec2.SecurityGroup, a *application, deployScript string) awsec2.Instance {
	role := awsiam.NewRole(stack, jsii.String("ServerRole"), &awsiam.RoleProps{
		Description: jsii.String("wmory's server: SSM, pull its image, this bucket, the database secret"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonSSMManagedInstanceCore")),
		},
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecr:GetAuthorizationToken"),
		Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
		Resources: &[]*string{reg.Repository.RepositoryArn()},
	}))
	// HeadBucket (the readiness check) and the reconciliation's listing of
	// the upload prefix are ListBucket; everything else is on objects.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:ListBucket"),
		Resources: &[]*string{a.Bucket.BucketArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:DeleteObject", "s3:GetObject", "s3:PutObject"),
		Resources: &[]*string{a.Bucket.ArnForObjects(jsii.String("*"))},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("secretsmanager:GetSecretValue"),
		Resources: &[]*string{a.Database.Secret().SecretArn(), a.Smtp.SecretArn()},
	}))

	instance := awsec2.NewInstance(stack, jsii.String("Server"), &awsec2.InstanceProps{
		Vpc:          vpc,
		VpcSubnets:   &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
		InstanceType: awsec2.NewInstanceType(jsii.String(s.InstanceType)),
		MachineImage: awsec2.MachineImage_LatestAmazonLinux2023(&awsec2.AmazonLinux2023ImageSsmParameterProps{
			CpuType: awsec2.AmazonLinuxCpuType_X86_64,
		}),
		Role:          role,
		SecurityGroup: sg,
		HttpTokens:    awsec2.HttpTokens_REQUIRED,
		// Docker in a container reaches the metadata service one hop further.
		HttpPutResponseHopLimit: jsii.Number(2),
		DetailedMonitoring:      jsii.Bool(true),
		BlockDevices: &[]*awsec2.BlockDevice{{
			DeviceName: jsii.String("/dev/xvda"),
			Volume: awsec2.BlockDeviceVolume_Ebs(jsii.Number(30), &awsec2.EbsDeviceOptions{
				Encrypted: jsii.Bool(true), VolumeType: awsec2.EbsDeviceVolumeType_GP3, DeleteOnTermination: jsii.Bool(true),
			}),
		}},
		UserData:                  serverUserData(stack, s, reg, a, deployScript),
		UserDataCausesReplacement: jsii.Bool(true),
	})
	awscdk.Tags_Of(instance).Add(jsii.String(instanceRoleTagKey), jsii.String(instanceRoleTagValue), nil)
	address := awsec2.NewCfnEIP(stack, jsii.String("Address"), &awsec2.CfnEIPProps{
		InstanceId: instance.InstanceId(),
		Tags:       &[]*awscdk.CfnTag{{Key: jsii.String("Name"), Value: jsii.String(s.Domain)}},
	})
	awscdk.NewCfnOutput(stack, jsii.String("PublicAddress"), &awscdk.CfnOutputProps{
		Value: address.AttrPublicIp(), Description: jsii.String("the address the domain's A record names"),
	})
	return instance
}

// serverUserData installs Docker, the deploy script from this repository
// (deploy/ec2/deploy.sh, as the CD workflow runs it), and wmory-env, which
// writes the container's environment from the stack and Secrets Manager;
// then starts Caddy and the image's tag.
func serverUserData(stack awscdk.Stack, s settings, reg *registry, a *application, deployScript string) awsec2.UserData {
	region := *stack.Region()
	env := []string{
		"DB_HOST=" + *a.Proxy.Endpoint(),
		fmt.Sprintf("DB_PORT=%d", mysqlPort),
		"DB_NAME=" + databaseName,
		"DB_TLS=true",
		"AWS_BUCKET_NAME=" + *a.Bucket.BucketName(),
		"AWS_REGION=" + region,
		"WMORY_ADDR=127.0.0.1:8080",
		"WMORY_BASE_URL=https://" + s.Domain,
		"WMORY_TRUSTED_PROXIES=127.0.0.1/32",
		"WMORY_MAIL_FROM=" + s.MailFrom,
	}
	envScript := `#!/bin/bash
# Writes /etc/wmory/env, the container's environment: the stack's names, and
# the database's and the mail server's credentials from Secrets Manager (read
# again at every deploy, so a changed secret takes effect then).
set -euo pipefail
secret() { aws secretsmanager get-secret-value --region ` + region + ` --secret-id "$1" --query SecretString --output text; }
db=$(secret ` + *a.Database.Secret().SecretArn() + `)
smtp=$(secret ` + *a.Smtp.SecretArn() + `)
umask 077
{
	printf '%s\n' ` + shellWords(env) + `
	printf 'DB_USER=%s\n' "$(jq -r .username <<<"$db")"
	printf 'DB_PASSWORD=%s\n' "$(jq -r .password <<<"$db")"
	case "$smtp" in smtp://* | smtps://*) printf 'SMTP_URL=%s\n' "$smtp" ;; esac
} >/etc/wmory/env.new
mv /etc/wmory/env.new /etc/wmory/env
`
	registryHost := *stack.Account() + ".dkr.ecr." + region + "." + *stack.UrlSuffix()
	ud := awsec2.UserData_ForLinux(nil)
	commands := []string{
		"set -euo pipefail",
		"dnf install -y docker jq",
		"systemctl enable --now docker",
		"install -d -m 0700 /etc/wmory",
		heredoc("/usr/local/bin/wmory-deploy", deployScript),
		heredoc("/usr/local/bin/wmory-env", envScript),
		"chmod 0755 /usr/local/bin/wmory-deploy /usr/local/bin/wmory-env",
		"/usr/local/bin/wmory-env",
		fmt.Sprintf("docker run -d --name caddy --restart unless-stopped --network host -v caddy-data:/data -v caddy-config:/config %s caddy reverse-proxy --from %s --to 127.0.0.1:8080", caddyImage, s.Domain),
		fmt.Sprintf("aws ecr get-login-password --region %s | docker login --username AWS --password-stdin %s", region, registryHost),
		fmt.Sprintf("/usr/local/bin/wmory-deploy %s:%s", *reg.Repository.RepositoryUri(), s.ImageTag),
	}
	for _, c := range commands {
		ud.AddCommands(jsii.String(c))
	}
	return ud
}

// heredoc writes content to path verbatim (a quoted delimiter: the shell
// expands nothing in it).
func heredoc(path, content string) string {
	if !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	return "cat >" + path + " <<'WMORY_EOF'\n" + content + "WMORY_EOF"
}

// shellWords quotes each word for the shell.
func shellWords(words []string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
