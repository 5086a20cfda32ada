package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3notifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/wmory/wmory"
)

// The names wmory and its database share: the database, its user (the
// generated secret's username) and the function the CD workflow updates.
const (
	databaseName = "wmory"
	databaseUser = "wmory"
	functionName = "wmory-thumbnails"
	// uploadPrefix is where uploads land; the function hears only of
	// objects created there.
	uploadPrefix = wmory.UploadPrefix
	// jobLease is wmory's WMORY_JOB_LEASE in the function: it runs an item's
	// jobs under that lease, so it may take no longer than it.
	jobLeaseMinutes = 5
	mysqlPort       = 3306
	// databaseInstanceID names the database instance, so that its log
	// groups can be made beforehand with a retention.
	databaseInstanceID = "wmory"
)

// application is the second stack: network, database behind RDS Proxy,
// bucket, the server on EC2 and the thumbnail function.
type application struct {
	awscdk.Stack
	Bucket   awss3.Bucket
	Database awsrds.DatabaseInstance
	Proxy    awsrds.DatabaseProxy
	Instance awsec2.Instance
	Function awslambda.DockerImageFunction
	Smtp     awssecretsmanager.Secret
	ServerSG awsec2.SecurityGroup
}

func newApplicationStack(scope constructs.Construct, id string, props *awscdk.StackProps, s settings, reg *registry, deployScript string) *application {
	stack := awscdk.NewStack(scope, jsii.String(id), props)
	a := &application{Stack: stack}
	keep := awscdk.RemovalPolicy_DESTROY
	if s.DeletionProtection {
		keep = awscdk.RemovalPolicy_RETAIN
	}

	// Public subnets for the server (a public address instead of a NAT
	// gateway's monthly cost); isolated ones, with no route out, for the
	// database, the proxy and the function, which reaches S3 through the
	// gateway endpoint.
	vpc := awsec2.NewVpc(stack, jsii.String("Network"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(24)},
			{Name: jsii.String("data"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(24)},
		},
		GatewayEndpoints: &map[string]*awsec2.GatewayVpcEndpointOptions{
			"S3": {Service: awsec2.GatewayVpcEndpointAwsService_S3()},
		},
		FlowLogs: &map[string]*awsec2.FlowLogOptions{
			"Rejected": {
				TrafficType: awsec2.FlowLogTrafficType_REJECT,
				Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(awslogs.NewLogGroup(stack, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
					Retention:     awslogs.RetentionDays_ONE_MONTH,
					RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
				}), nil),
			},
		},
	})
	isolated := &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}

	serverSG := awsec2.NewSecurityGroup(stack, jsii.String("ServerSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("wmory server: HTTPS from anywhere, and HTTP for the certificate challenge and the redirect"),
		AllowAllOutbound: jsii.Bool(true),
	})
	serverSG.AddIngressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)), jsii.String("HTTPS"), nil)
	serverSG.AddIngressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(80)), jsii.String("HTTP: ACME challenge and redirect to HTTPS"), nil)
	a.ServerSG = serverSG
	functionSG := awsec2.NewSecurityGroup(stack, jsii.String("FunctionSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("the thumbnail function: its subnets route only inside the VPC and to the S3 gateway endpoint"),
		AllowAllOutbound: jsii.Bool(true),
	})
	proxySG := awsec2.NewSecurityGroup(stack, jsii.String("ProxySecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("RDS Proxy: MySQL from the server and the function"),
		AllowAllOutbound: jsii.Bool(false),
	})
	databaseSG := awsec2.NewSecurityGroup(stack, jsii.String("DatabaseSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: vpc, Description: jsii.String("the database: MySQL from RDS Proxy only"),
		AllowAllOutbound: jsii.Bool(false),
	})
	mysql := awsec2.Port_Tcp(jsii.Number(mysqlPort))
	proxySG.AddIngressRule(serverSG, mysql, jsii.String("wmory's server"), nil)
	proxySG.AddIngressRule(functionSG, mysql, jsii.String("the thumbnail function"), nil)
	proxySG.AddEgressRule(databaseSG, mysql, jsii.String("the database"), nil)
	databaseSG.AddIngressRule(proxySG, mysql, jsii.String("RDS Proxy"), nil)

	databaseLogs := []string{"error", "slowquery"} // kept in CloudWatch
	// The database: MySQL 8.0, encrypted, in the isolated subnets, reached
	// only through the proxy, which holds its credentials from Secrets Manager.
	a.Database = awsrds.NewDatabaseInstance(stack, jsii.String("Database"), &awsrds.DatabaseInstanceProps{
		Engine: awsrds.DatabaseInstanceEngine_Mysql(&awsrds.MySqlInstanceEngineProps{
			Version: mysqlVersion(s.MySQLVersion),
		}),
		InstanceType:              awsec2.NewInstanceType(jsii.String(s.DatabaseInstanceType)),
		Vpc:                       vpc,
		VpcSubnets:                isolated,
		SecurityGroups:            &[]awsec2.ISecurityGroup{databaseSG},
		Credentials:               awsrds.Credentials_FromGeneratedSecret(jsii.String(databaseUser), nil),
		DatabaseName:              jsii.String(databaseName),
		Port:                      jsii.Number(mysqlPort),
		StorageEncrypted:          jsii.Bool(true),
		PubliclyAccessible:        jsii.Bool(false),
		MultiAz:                   jsii.Bool(s.MultiAZ),
		AllocatedStorage:          jsii.Number(20),
		MaxAllocatedStorage:       jsii.Number(200),
		StorageType:               awsrds.StorageType_GP3,
		BackupRetention:           awscdk.Duration_Days(jsii.Number(7)),
		DeleteAutomatedBackups:    jsii.Bool(!s.DeletionProtection),
		DeletionProtection:        jsii.Bool(s.DeletionProtection),
		RemovalPolicy:             snapshotUnless(s.DeletionProtection),
		AutoMinorVersionUpgrade:   jsii.Bool(true),
		InstanceIdentifier:        jsii.String(databaseInstanceID),
		CloudwatchLogsExports:     jsii.Strings(databaseLogs...),
		EnablePerformanceInsights: jsii.Bool(false),
	})
	// The log groups RDS would make (and keep forever), made here with a
	// retention instead of through CDK's retention-setting function.
	for _, name := range databaseLogs {
		lg := awslogs.NewLogGroup(stack, jsii.String("DatabaseLogs-"+name), &awslogs.LogGroupProps{
			LogGroupName:  jsii.String("/aws/rds/instance/" + databaseInstanceID + "/" + name),
			Retention:     awslogs.RetentionDays_ONE_MONTH,
			RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
		})
		a.Database.Node().AddDependency(lg)
	}
	a.Proxy = a.Database.AddProxy(jsii.String("Proxy"), &awsrds.DatabaseProxyOptions{
		Vpc:            vpc,
		VpcSubnets:     isolated,
		SecurityGroups: &[]awsec2.ISecurityGroup{proxySG},
		Secrets:        &[]awssecretsmanager.ISecret{a.Database.Secret()},
		RequireTLS:     jsii.Bool(true),
		IamAuth:        jsii.Bool(false),
	})

	// The bucket: private, encrypted, TLS only; browsers and phones upload
	// to it and read from it through URLs wmory signs, from its own origin.
	logs := awss3.NewBucket(stack, jsii.String("AccessLogs"), &awss3.BucketProps{
		BlockPublicAccess: awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:        awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:        jsii.Bool(true),
		ObjectOwnership:   awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		LifecycleRules:    &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(90))}},
		RemovalPolicy:     keep,
		AutoDeleteObjects: jsii.Bool(false),
	})
	a.Bucket = awss3.NewBucket(stack, jsii.String("Media"), &awss3.BucketProps{
		BlockPublicAccess:      awss3.BlockPublicAccess_BLOCK_ALL(),
		Encryption:             awss3.BucketEncryption_S3_MANAGED,
		EnforceSSL:             jsii.Bool(true),
		ObjectOwnership:        awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED,
		ServerAccessLogsBucket: logs,
		Cors: &[]*awss3.CorsRule{{
			AllowedOrigins: jsii.Strings("https://" + s.Domain),
			AllowedMethods: &[]awss3.HttpMethods{awss3.HttpMethods_GET, awss3.HttpMethods_HEAD, awss3.HttpMethods_PUT},
			AllowedHeaders: jsii.Strings("*"),
			ExposedHeaders: jsii.Strings("ETag"),
			MaxAge:         jsii.Number(3600),
		}},
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id:                                  jsii.String("abort-incomplete-multipart-uploads"),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy: keep,
	})

	a.Smtp = awssecretsmanager.NewSecret(stack, jsii.String("Smtp"), &awssecretsmanager.SecretProps{
		Description:       jsii.String("wmory's SMTP_URL (smtp://user:password@host:587); until it is set, e-mails go to the server's log"),
		SecretStringValue: awscdk.SecretValue_UnsafePlainText(jsii.String("unset")),
	})

	a.Function = newFunction(stack, s, reg, vpc, functionSG, a)
	a.Instance = newServer(stack, s, reg, vpc, serverSG, a, deployScript)

	awscdk.NewCfnOutput(stack, jsii.String("Url"), &awscdk.CfnOutputProps{Value: jsii.String("https://" + s.Domain)})
	awscdk.NewCfnOutput(stack, jsii.String("BucketName"), &awscdk.CfnOutputProps{Value: a.Bucket.BucketName()})
	awscdk.NewCfnOutput(stack, jsii.String("FunctionName"), &awscdk.CfnOutputProps{Value: a.Function.FunctionName()})
	awscdk.NewCfnOutput(stack, jsii.String("InstanceId"), &awscdk.CfnOutputProps{Value: a.Instance.InstanceId()})
	awscdk.NewCfnOutput(stack, jsii.String("SmtpSecretArn"), &awscdk.CfnOutputProps{Value: a.Smtp.SecretArn()})
	return a
}

// mysqlVersion is the newest minor release CDK knows of a major version;
// RDS applies later minor releases itself (AutoMinorVersionUpgrade).
func mysqlVersion(major string) awsrds.MysqlEngineVersion {
	if major == "8.4" {
		return awsrds.MysqlEngineVersion_VER_8_4_9()
	}
	return awsrds.MysqlEngineVersion_VER_8_0_46()
}

func snapshotUnless(keep bool) awscdk.RemovalPolicy {
	if keep {
		return awscdk.RemovalPolicy_SNAPSHOT
	}
	return awscdk.RemovalPolicy_DESTROY
}

// newFunction is the thumbnail function: `wmory lambda` from the image the
// server runs, told by the bucket of each upload's arrival.
func newFunction(stack awscdk.Stack, s settings, reg *registry, vpc awsec2.Vpc, sg awsec2.SecurityGroup, a *application) awslambda.DockerImageFunction {
	logGroup := awslogs.NewLogGroup(stack, jsii.String("FunctionLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String("/aws/lambda/" + functionName),
		Retention:     awslogs.RetentionDays_ONE_MONTH,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	role := awsiam.NewRole(stack, jsii.String("FunctionRole"), &awsiam.RoleProps{
		Description: jsii.String("wmory's thumbnail function: this bucket's objects, its own log group, its network interfaces"),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:DeleteObject", "s3:GetObject", "s3:PutObject"),
		Resources: &[]*string{a.Bucket.ArnForObjects(jsii.String("*"))},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: &[]*string{jsii.String(*logGroup.LogGroupArn())},
	}))
	// A function in a VPC manages its network interfaces; these actions have
	// no resource-level form.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
			"ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"),
		Resources: jsii.Strings("*"),
	}))

	fn := awslambda.NewDockerImageFunction(stack, jsii.String("Thumbnails"), &awslambda.DockerImageFunctionProps{
		FunctionName: jsii.String(functionName),
		Description:  jsii.String("wmory lambda: completes an upload when its bytes arrive, then makes its thumbnails"),
		Code: awslambda.DockerImageCode_FromEcr(reg.Repository, &awslambda.EcrImageCodeProps{
			TagOrDigest: jsii.String(s.ImageTag),
			Cmd:         jsii.Strings("lambda"),
		}),
		Architecture:         awslambda.Architecture_X86_64(),
		MemorySize:           jsii.Number(2048),
		EphemeralStorageSize: awscdk.Size_Gibibytes(jsii.Number(2)),
		Timeout:              awscdk.Duration_Minutes(jsii.Number(jobLeaseMinutes)),
		Role:                 role,
		LogGroup:             logGroup,
		Vpc:                  vpc,
		VpcSubnets:           &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		SecurityGroups:       &[]awsec2.ISecurityGroup{sg},
		// Lambda retries a failed event twice; the server's sweep completes
		// any upload whose event was lost before its URL expires.
		RetryAttempts: jsii.Number(2),
		Environment: &map[string]*string{
			"DB_HOST": a.Proxy.Endpoint(),
			"DB_USER": jsii.String(databaseUser),
			// Resolved by CloudFormation from Secrets Manager at deploy time:
			// the template holds only the reference. The proxy accepts the
			// same credentials it holds.
			"DB_PASSWORD":       a.Database.Secret().SecretValueFromJson(jsii.String("password")).UnsafeUnwrap(),
			"DB_NAME":           jsii.String(databaseName),
			"DB_TLS":            jsii.String("true"),
			"AWS_BUCKET_NAME":   a.Bucket.BucketName(),
			"WMORY_JOB_LEASE":   jsii.String("5m"),
			"WMORY_DB_MAX_OPEN": jsii.String("2"),
			"WMORY_DB_MAX_IDLE": jsii.String("2"),
		},
	})
	a.Bucket.AddEventNotification(awss3.EventType_OBJECT_CREATED, awss3notifications.NewLambdaDestination(fn),
		&awss3.NotificationKeyFilter{Prefix: jsii.String(uploadPrefix)})
	return fn
}
