package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"
)

// template is one synthesized CloudFormation template, read as JSON so a
// failing check can say what it found.
type template map[string]any

func (t template) resources(typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range t["Resources"].(map[string]any) {
		r := r.(map[string]any)
		if r["Type"] == typ {
			out[id] = r
		}
	}
	return out
}

// only is the one resource of a type whose logical ID starts with prefix.
func (t template) only(tb testing.TB, typ, prefix string) (string, map[string]any) {
	tb.Helper()
	var ids []string
	for id := range t.resources(typ) {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		tb.Fatalf("want one %s named %s*, found %v", typ, prefix, ids)
	}
	return ids[0], t.resources(typ)[ids[0]]
}

func props(r map[string]any) map[string]any { return r["Properties"].(map[string]any) }

func asJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func ref(id string) map[string]any          { return map[string]any{"Ref": id} }
func getAtt(id, attr string) map[string]any { return map[string]any{"Fn::GetAtt": []any{id, attr}} }

type synthesized struct {
	registry, app         template
	registryStack, appStk awscdk.Stack
	outdir                string
}

const testDomain, testRepository = "photos.example.com", "wmory/wmory"

// synth builds both stacks as `cdk synth` would, with extra context.
func synth(t *testing.T, context map[string]any) synthesized {
	t.Helper()
	script, err := os.ReadFile(filepath.Join("..", "deploy", "ec2", "deploy.sh"))
	if err != nil {
		t.Fatal(err)
	}
	c := map[string]any{"domain": testDomain, "github": testRepository}
	for k, v := range context {
		c[k] = v
	}
	outdir := t.TempDir()
	app := newApp(c, outdir)
	reg, a, err := newStacks(app, nil, string(script))
	if err != nil {
		t.Fatal(err)
	}
	app.Synth(nil) // panics on a validation error of the default rules
	read := func(stack awscdk.Stack) template {
		b, err := os.ReadFile(filepath.Join(outdir, *stack.TemplateFile()))
		if err != nil {
			t.Fatal(err)
		}
		var tpl template
		if err := json.Unmarshal(b, &tpl); err != nil {
			t.Fatal(err)
		}
		return tpl
	}
	return synthesized{registry: read(reg.Stack), app: read(a.Stack), registryStack: reg.Stack, appStk: a.Stack, outdir: outdir}
}

func TestStacks(t *testing.T) {
	s := synth(t, nil)
	app, reg := s.app, s.registry
	bucketID, bucket := app.only(t, "AWS::S3::Bucket", "Media")
	proxyID, proxy := app.only(t, "AWS::RDS::DBProxy", "DatabaseProxy")
	_, db := app.only(t, "AWS::RDS::DBInstance", "Database")
	dbSecretID, _ := app.only(t, "AWS::SecretsManager::SecretTargetAttachment", "DatabaseSecretAttachment")
	fnID, fn := app.only(t, "AWS::Lambda::Function", "Thumbnails")
	isolated := subnetRefs(app, "Networkdata")

	t.Run("the bucket is private, encrypted and TLS-only, with CORS for the app and multipart clean-up", func(t *testing.T) {
		for id, b := range app.resources("AWS::S3::Bucket") {
			p := props(b)
			if got := asJSON(p["PublicAccessBlockConfiguration"]); got != `{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true}` {
				t.Errorf("%s: public access block %s", id, got)
			}
			if got := asJSON(p["BucketEncryption"]); !strings.Contains(got, `"SSEAlgorithm":"AES256"`) {
				t.Errorf("%s: encryption %s", id, got)
			}
			if p["OwnershipControls"] == nil || !strings.Contains(asJSON(p["OwnershipControls"]), "BucketOwnerEnforced") {
				t.Errorf("%s: ACLs are not disabled: %s", id, asJSON(p["OwnershipControls"]))
			}
			if !deniesPlainHTTP(app, id) {
				t.Errorf("%s: its policy does not deny requests without TLS", id)
			}
		}
		p := props(bucket)
		cors := asJSON(p["CorsConfiguration"])
		for _, want := range []string{`"AllowedOrigins":["https://` + testDomain + `"]`, `"AllowedMethods":["GET","HEAD","PUT"]`, `"ExposedHeaders":["ETag"]`} {
			if !strings.Contains(cors, want) {
				t.Errorf("CORS %s lacks %s", cors, want)
			}
		}
		if got := asJSON(p["LifecycleConfiguration"]); !strings.Contains(got, `"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":1}`) {
			t.Errorf("lifecycle %s", got)
		}
		if bucket["DeletionPolicy"] != "Retain" {
			t.Errorf("the media bucket's deletion policy is %v", bucket["DeletionPolicy"])
		}
	})

	t.Run("the database is MySQL 8.0, encrypted, private, backed up and protected", func(t *testing.T) {
		p := props(db)
		want := map[string]any{"Engine": "mysql", "StorageEncrypted": true, "PubliclyAccessible": false,
			"BackupRetentionPeriod": 7.0, "DeletionProtection": true, "DBName": databaseName, "MultiAZ": false}
		for k, v := range want {
			if !reflect.DeepEqual(p[k], v) {
				t.Errorf("%s = %v, want %v", k, p[k], v)
			}
		}
		if v, _ := p["EngineVersion"].(string); !strings.HasPrefix(v, "8.0.") {
			t.Errorf("engine version %q", v)
		}
		if db["DeletionPolicy"] != "Snapshot" {
			t.Errorf("deletion policy %v: deleting the stack should leave a snapshot", db["DeletionPolicy"])
		}
		_, group := app.only(t, "AWS::RDS::DBSubnetGroup", "DatabaseSubnetGroup")
		if got := asJSON(props(group)["SubnetIds"]); got != asJSON(isolated) {
			t.Errorf("database subnets %s, want the isolated ones %s", got, asJSON(isolated))
		}
	})

	t.Run("nothing reaches the database but the proxy, and only the server is public", func(t *testing.T) {
		dbSG, _ := app.only(t, "AWS::EC2::SecurityGroup", "DatabaseSecurityGroup")
		proxySG, _ := app.only(t, "AWS::EC2::SecurityGroup", "ProxySecurityGroup")
		serverSG, _ := app.only(t, "AWS::EC2::SecurityGroup", "ServerSecurityGroup")
		functionSG, _ := app.only(t, "AWS::EC2::SecurityGroup", "FunctionSecurityGroup")
		sources := map[string][]string{}
		for id, r := range app.resources("AWS::EC2::SecurityGroupIngress") {
			p := props(r)
			if p["CidrIp"] != nil || p["CidrIpv6"] != nil {
				t.Errorf("%s admits addresses %v%v", id, p["CidrIp"], p["CidrIpv6"])
			}
			target := p["GroupId"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			source := p["SourceSecurityGroupId"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
			sources[target] = append(sources[target], source)
		}
		if got := sources[dbSG]; len(slices.Compact(slices.Sorted(slices.Values(got)))) != 1 || got[0] != proxySG {
			t.Errorf("the database admits %v, want only the proxy %s", got, proxySG)
		}
		if got := slices.Compact(slices.Sorted(slices.Values(sources[proxySG]))); asJSON(got) != asJSON(slices.Sorted(slices.Values([]string{serverSG, functionSG}))) {
			t.Errorf("the proxy admits %v, want the server and the function", got)
		}
		for id, sg := range app.resources("AWS::EC2::SecurityGroup") {
			for _, rule := range listOf(props(sg)["SecurityGroupIngress"]) {
				rule := rule.(map[string]any)
				if id != serverSG || rule["CidrIp"] != "0.0.0.0/0" || (rule["FromPort"] != 443.0 && rule["FromPort"] != 80.0) || rule["FromPort"] != rule["ToPort"] {
					t.Errorf("%s admits %s", id, asJSON(rule))
				}
			}
		}
		if got := asJSON(props(fn)["VpcConfig"].(map[string]any)["SubnetIds"]); got != asJSON(isolated) {
			t.Errorf("the function's subnets %s, want the isolated ones", got)
		}
		for id, route := range app.resources("AWS::EC2::Route") {
			if strings.HasPrefix(id, "Networkdata") {
				t.Errorf("the isolated subnets have a route out: %s %s", id, asJSON(props(route)))
			}
		}
	})

	t.Run("the proxy requires TLS and holds the credentials from Secrets Manager", func(t *testing.T) {
		p := props(proxy)
		if p["RequireTLS"] != true || p["EngineFamily"] != "MYSQL" {
			t.Errorf("proxy %s", asJSON(p))
		}
		if got, want := asJSON(p["Auth"]), asJSON([]any{map[string]any{"AuthScheme": "SECRETS", "IAMAuth": "DISABLED", "SecretArn": ref(dbSecretID)}}); got != want {
			t.Errorf("proxy auth %s, want %s", got, want)
		}
		if got := asJSON(p["VpcSubnetIds"]); got != asJSON(isolated) {
			t.Errorf("proxy subnets %s", got)
		}
	})

	t.Run("uploads arriving under the upload prefix invoke the function", func(t *testing.T) {
		_, n := app.only(t, "Custom::S3BucketNotifications", "MediaNotifications")
		want := map[string]any{"LambdaFunctionConfigurations": []any{map[string]any{
			"Events":            []any{"s3:ObjectCreated:*"},
			"Filter":            map[string]any{"Key": map[string]any{"FilterRules": []any{map[string]any{"Name": "prefix", "Value": "o/"}}}},
			"LambdaFunctionArn": getAtt(fnID, "Arn"),
		}}}
		if got := props(n)["NotificationConfiguration"]; asJSON(got) != asJSON(want) {
			t.Errorf("notification %s, want %s", asJSON(got), asJSON(want))
		}
		if got := props(n)["BucketName"]; asJSON(got) != asJSON(ref(bucketID)) {
			t.Errorf("notification on %s", asJSON(got))
		}
		_, perm := app.only(t, "AWS::Lambda::Permission", "MediaAllowBucketNotifications")
		if p := props(perm); p["Principal"] != "s3.amazonaws.com" || asJSON(p["SourceArn"]) != asJSON(getAtt(bucketID, "Arn")) {
			t.Errorf("invoke permission %s", asJSON(p))
		}
	})

	t.Run("the function is wmory lambda from the image, with the seed's settings", func(t *testing.T) {
		p := props(fn)
		if p["PackageType"] != "Image" || asJSON(p["ImageConfig"]) != `{"Command":["lambda"]}` {
			t.Errorf("image %v %s", p["PackageType"], asJSON(p["ImageConfig"]))
		}
		if p["Timeout"] != float64(jobLeaseMinutes*60) || p["FunctionName"] != functionName {
			t.Errorf("timeout %v, name %v", p["Timeout"], p["FunctionName"])
		}
		if uri := asJSON(p["Code"]); !strings.Contains(uri, `":latest"`) || !strings.Contains(uri, "WmoryRegistry:ExportsOutputRefRepository") {
			t.Errorf("image URI %s", uri)
		}
		env := p["Environment"].(map[string]any)["Variables"].(map[string]any)
		wantEnv := map[string]any{
			"DB_HOST": getAtt(proxyID, "Endpoint"), "DB_USER": databaseUser, "DB_NAME": databaseName, "DB_TLS": "true",
			"AWS_BUCKET_NAME": ref(bucketID), "WMORY_JOB_LEASE": fmt.Sprintf("%dm", jobLeaseMinutes),
			"DB_PASSWORD": map[string]any{"Fn::Join": []any{"", []any{"{{resolve:secretsmanager:", ref(dbSecretID), ":SecretString:password::}}"}}},
		}
		for k, v := range wantEnv {
			if asJSON(env[k]) != asJSON(v) {
				t.Errorf("%s = %s, want %s", k, asJSON(env[k]), asJSON(v))
			}
		}
	})

	t.Run("the server runs the image with the seed's settings, deployed by the repository's script", func(t *testing.T) {
		_, inst := app.only(t, "AWS::EC2::Instance", "Server")
		p := props(inst)
		if !strings.Contains(asJSON(p["ImageId"]), "al2023") && !strings.Contains(asJSON(app["Parameters"]), "al2023") {
			t.Errorf("image %s is not Amazon Linux 2023", asJSON(p["ImageId"]))
		}
		if asJSON(p["MetadataOptions"]) != `{"HttpPutResponseHopLimit":2,"HttpTokens":"required"}` {
			t.Errorf("metadata options %s: IMDSv2 must be required", asJSON(p["MetadataOptions"]))
		}
		if got := asJSON(p["Tags"]); !strings.Contains(got, `{"Key":"wmory:role","Value":"app"}`) {
			t.Errorf("tags %s: the deploy role commands only instances tagged wmory:role=app", got)
		}
		if got := asJSON(p["BlockDeviceMappings"]); !strings.Contains(got, `"Encrypted":true`) {
			t.Errorf("volumes %s", got)
		}
		ud := userData(p)
		script, _ := os.ReadFile(filepath.Join("..", "deploy", "ec2", "deploy.sh"))
		if !strings.Contains(ud, "cat >/usr/local/bin/wmory-deploy <<'WMORY_EOF'\n"+string(script)+"WMORY_EOF") {
			t.Error("the user data does not install deploy/ec2/deploy.sh as it is")
		}
		for _, want := range []string{"'DB_HOST=<GetAtt " + proxyID + ".Endpoint>'", "'DB_NAME=wmory'", "'DB_TLS=true'",
			"'AWS_BUCKET_NAME=<Ref " + bucketID + ">'", "'AWS_REGION=<Ref AWS::Region>'", "DB_USER=%s", "DB_PASSWORD=%s",
			"'WMORY_BASE_URL=https://" + testDomain + "'", "--secret-id \"$1\"", "secret <Ref " + dbSecretID + ">",
			"caddy reverse-proxy --from " + testDomain + " --to 127.0.0.1:8080", "/usr/local/bin/wmory-deploy <"} {
			if !strings.Contains(ud, want) {
				t.Errorf("the user data lacks %q", want)
			}
		}
	})

	t.Run("each role may do exactly its work", func(t *testing.T) {
		serverRole, _ := app.only(t, "AWS::IAM::Role", "ServerRole")
		functionRole, _ := app.only(t, "AWS::IAM::Role", "FunctionRole")
		deployRole, _ := reg.only(t, "AWS::IAM::Role", "DeployRole")
		repoID, _ := reg.only(t, "AWS::ECR::Repository", "Repository")
		smtpID, _ := app.only(t, "AWS::SecretsManager::Secret", "Smtp")
		_, logs := app.only(t, "AWS::Logs::LogGroup", "FunctionLogs")
		logsID, _ := app.only(t, "AWS::Logs::LogGroup", "FunctionLogs")
		_ = logs
		objects := map[string]any{"Fn::Join": []any{"", []any{getAtt(bucketID, "Arn"), "/*"}}}
		repoImport := map[string]any{"Fn::ImportValue": "WmoryRegistry:ExportsOutputFnGetAttRepository22E53BBDArn3AD4E30B"}
		checkStatements(t, app, serverRole, []statement{
			{[]string{"ecr:GetAuthorizationToken"}, "*", nil},
			{[]string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}, repoImport, nil},
			{[]string{"s3:ListBucket"}, getAtt(bucketID, "Arn"), nil},
			{[]string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, objects, nil},
			{[]string{"secretsmanager:GetSecretValue"}, []any{ref(dbSecretID), ref(smtpID)}, nil},
		})
		checkManaged(t, app, serverRole, []string{"AmazonSSMManagedInstanceCore"})
		checkStatements(t, app, functionRole, []statement{
			{[]string{"s3:DeleteObject", "s3:GetObject", "s3:PutObject"}, objects, nil},
			{[]string{"logs:CreateLogStream", "logs:PutLogEvents"}, getAtt(logsID, "Arn"), nil},
			{[]string{"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:UnassignPrivateIpAddresses"}, "*", nil},
		})
		checkManaged(t, app, functionRole, nil)
		arn := func(parts ...any) map[string]any {
			return map[string]any{"Fn::Join": []any{"", append([]any{"arn:", ref("AWS::Partition")}, parts...)}}
		}
		checkStatements(t, reg, deployRole, []statement{
			{[]string{"ecr:GetAuthorizationToken", "ssm:ListCommandInvocations", "ssm:ListCommands"}, "*", nil},
			{[]string{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:GetDownloadUrlForLayer",
				"ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"}, getAtt(repoID, "Arn"), nil},
			{[]string{"ssm:SendCommand"}, arn(":ssm:", ref("AWS::Region"), "::document/AWS-RunShellScript"), nil},
			{[]string{"ssm:SendCommand"}, arn(":ec2:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":instance/*"),
				map[string]any{"StringEquals": map[string]any{"ssm:resourceTag/wmory:role": "app"}}},
			{[]string{"lambda:GetFunctionConfiguration", "lambda:UpdateFunctionCode"}, arn(":lambda:", ref("AWS::Region"), ":", ref("AWS::AccountId"), ":function:"+functionName), nil},
		})
		checkManaged(t, reg, deployRole, nil)
	})

	t.Run("only this repository's main branch may assume the deploy role", func(t *testing.T) {
		_, role := reg.only(t, "AWS::IAM::Role", "DeployRole")
		providerID, provider := reg.only(t, "AWS::IAM::OIDCProvider", "GitHub")
		if p := props(provider); p["Url"] != "https://token.actions.githubusercontent.com" || asJSON(p["ClientIdList"]) != `["sts.amazonaws.com"]` {
			t.Errorf("provider %s", asJSON(p))
		}
		want := []any{map[string]any{
			"Action": "sts:AssumeRoleWithWebIdentity", "Effect": "Allow",
			"Principal": map[string]any{"Federated": ref(providerID)},
			"Condition": map[string]any{"StringEquals": map[string]any{
				"token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
				"token.actions.githubusercontent.com:sub": "repo:" + testRepository + ":ref:refs/heads/main",
			}},
		}}
		if got := props(role)["AssumeRolePolicyDocument"].(map[string]any)["Statement"]; asJSON(got) != asJSON(want) {
			t.Errorf("trust %s, want %s", asJSON(got), asJSON(want))
		}
	})

	t.Run("no IAM user, access key or stored credential anywhere", func(t *testing.T) {
		for name, tpl := range map[string]template{"registry": reg, "application": app} {
			for _, typ := range []string{"AWS::IAM::User", "AWS::IAM::AccessKey", "AWS::IAM::Group"} {
				if n := len(tpl.resources(typ)); n > 0 {
					t.Errorf("%s stack: %d %s", name, n, typ)
				}
			}
			text := asJSON(tpl)
			for _, word := range []string{"AKIA", "aws_access_key_id", "AWS_SECRET_ACCESS_KEY", "SecretAccessKey"} {
				if strings.Contains(text, word) {
					t.Errorf("%s stack mentions %s", name, word)
				}
			}
		}
		_, smtp := app.only(t, "AWS::SecretsManager::Secret", "Smtp")
		if got := props(smtp)["SecretString"]; got != "unset" {
			t.Errorf("the SMTP secret starts as %v, want the placeholder the server ignores", got)
		}
	})

	t.Run("the registry scans pushed images", func(t *testing.T) {
		_, repo := reg.only(t, "AWS::ECR::Repository", "Repository")
		if got := asJSON(props(repo)["ImageScanningConfiguration"]); got != `{"ScanOnPush":true}` {
			t.Errorf("scanning %s", got)
		}
	})

	t.Run("cdk-nag's AWS Solutions rules pass, each suppression with its reason", func(t *testing.T) {
		checkNag(t, s.registryStack, s.appStk)
		for name, tpl := range map[string]template{"registry": reg, "application": app} {
			for id, r := range tpl["Resources"].(map[string]any) {
				meta, _ := r.(map[string]any)["Metadata"].(map[string]any)
				nag, _ := meta["cdk_nag"].(map[string]any)
				for _, rule := range listOf(nag["rules_to_suppress"]) {
					if reason, _ := rule.(map[string]any)["reason"].(string); len(reason) < 40 {
						t.Errorf("%s stack, %s: suppression %s without a real reason", name, id, asJSON(rule))
					}
				}
			}
		}
	})

	t.Run("the CloudFormation rules found nothing", func(t *testing.T) {
		b, err := os.ReadFile(filepath.Join(s.outdir, "validation-report.json"))
		if err != nil {
			t.Fatalf("no validation report: %v", err)
		}
		var report struct{ PluginReports []any }
		if err := json.Unmarshal(b, &report); err != nil {
			t.Fatal(err)
		}
		// A plug-in's report is left out when it passed.
		if len(report.PluginReports) > 0 {
			t.Errorf("validation: %s", b)
		}
	})
}

// A throwaway stack: the context turns off deletion protection and turns on
// the standby, and cdk-nag still passes without the multi-AZ suppression.
func TestStacksByContext(t *testing.T) {
	s := synth(t, map[string]any{"deletionProtection": "false", "multiAz": "true", "imageTag": "0123abc", "instanceType": "t3.medium", "mysqlVersion": "8.4"})
	_, db := s.app.only(t, "AWS::RDS::DBInstance", "Database")
	if p := props(db); p["DeletionProtection"] != false || p["MultiAZ"] != true {
		t.Errorf("deletion protection %v, multi-AZ %v", p["DeletionProtection"], p["MultiAZ"])
	}
	if v, _ := props(db)["EngineVersion"].(string); !strings.HasPrefix(v, "8.4.") {
		t.Errorf("engine version %q, want 8.4", v)
	}
	if db["DeletionPolicy"] != "Delete" {
		t.Errorf("database deletion policy %v", db["DeletionPolicy"])
	}
	_, bucket := s.app.only(t, "AWS::S3::Bucket", "Media")
	if bucket["DeletionPolicy"] != "Delete" {
		t.Errorf("bucket deletion policy %v", bucket["DeletionPolicy"])
	}
	_, fn := s.app.only(t, "AWS::Lambda::Function", "Thumbnails")
	if uri := asJSON(props(fn)["Code"]); !strings.Contains(uri, `":0123abc"`) {
		t.Errorf("image %s", uri)
	}
	_, inst := s.app.only(t, "AWS::EC2::Instance", "Server")
	if p := props(inst); p["InstanceType"] != "t3.medium" || !strings.Contains(userData(p), ":0123abc") {
		t.Errorf("instance %v, user data without the tag", p["InstanceType"])
	}
	checkNag(t, s.registryStack, s.appStk)
}

// With wmory's flags, a template the CloudFormation rules refuse fails the
// synthesis (without validateAgainstDefaultRules it would only warn).
func TestDefaultRulesAreEnforced(t *testing.T) {
	app := newApp(nil, t.TempDir())
	stack := awscdk.NewStack(app, jsii.String("Broken"), nil)
	awsec2.NewCfnSecurityGroup(stack, jsii.String("Group"), &awsec2.CfnSecurityGroupProps{
		GroupDescription: jsii.String("an apostrophe isn't allowed here"),
	})
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "Validation failed") {
			t.Errorf("synth of an invalid template: %v", r)
		}
	}()
	app.Synth(nil)
}

func TestSettingsRefused(t *testing.T) {
	for _, tc := range []struct {
		context map[string]any
		want    []string
	}{
		{map[string]any{}, []string{"-c domain=", "-c github="}},
		{map[string]any{"domain": "https://photos.example.com", "github": "wmory"}, []string{"domain=\"https://photos.example.com\"", "owner/name"}},
		{map[string]any{"domain": testDomain, "github": testRepository, "deletionProtection": "maybe"}, []string{"deletionProtection=\"maybe\""}},
		{map[string]any{"domain": testDomain, "github": testRepository, "mysqlVersion": "5.7"}, []string{"mysqlVersion=\"5.7\": want 8.0 or 8.4"}},
	} {
		app := newApp(tc.context, t.TempDir())
		_, err := readSettings(app)
		if err == nil {
			t.Errorf("%v: accepted", tc.context)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: %q does not mention %s", tc.context, err, w)
			}
		}
	}
}

// The app as the CDK command line runs it (cdk.json's command, its output
// folder and context in the environment).
func TestCommand(t *testing.T) {
	var cdk struct{ App string }
	b, err := os.ReadFile("cdk.json")
	if err == nil {
		err = json.Unmarshal(b, &cdk)
	}
	if err != nil || cdk.App != "go run ." {
		t.Fatalf("cdk.json: %v, app %q", err, cdk.App)
	}
	out := t.TempDir()
	cmd := exec.Command("go", "run", ".")
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+out,
		`CDK_CONTEXT_JSON={"domain":"`+testDomain+`","github":"`+testRepository+`"}`)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run .: %v\n%s", err, b)
	}
	for _, f := range []string{"WmoryRegistry.template.json", "Wmory.template.json", "manifest.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	cmd = exec.Command("go", "run", ".")
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+t.TempDir(), `CDK_CONTEXT_JSON={}`)
	b, err = cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(b), "-c domain=") {
		t.Errorf("without a domain: %v\n%s", err, b)
	}
}

type statement struct {
	actions   []string
	resource  any
	condition map[string]any
}

// checkStatements compares a role's inline policies with the statements
// it should have, no more and no fewer.
func checkStatements(t *testing.T, tpl template, role string, want []statement) {
	t.Helper()
	var got []string
	for _, p := range tpl.resources("AWS::IAM::Policy") {
		if !slices.ContainsFunc(listOf(props(p)["Roles"]), func(r any) bool { return asJSON(r) == asJSON(ref(role)) }) {
			continue
		}
		for _, st := range listOf(props(p)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] != "Allow" {
				t.Errorf("%s: %s", role, asJSON(st))
			}
			var actions []string
			for _, a := range listOf(st["Action"]) {
				actions = append(actions, a.(string))
			}
			slices.Sort(actions)
			got = append(got, asJSON(statement{actions, st["Resource"], asMap(st["Condition"])}.json()))
		}
	}
	var wanted []string
	for _, w := range want {
		wanted = append(wanted, asJSON(w.json()))
	}
	slices.Sort(got)
	slices.Sort(wanted)
	if !slices.Equal(got, wanted) {
		t.Errorf("%s may do\n  %s\nwant\n  %s", role, strings.Join(got, "\n  "), strings.Join(wanted, "\n  "))
	}
}

func (s statement) json() map[string]any {
	return map[string]any{"actions": s.actions, "resource": s.resource, "condition": s.condition}
}

func checkManaged(t *testing.T, tpl template, role string, want []string) {
	t.Helper()
	var got []string
	for _, arn := range listOf(props(tpl.resources("AWS::IAM::Role")[role])["ManagedPolicyArns"]) {
		parts := arn.(map[string]any)["Fn::Join"].([]any)[1].([]any)
		got = append(got, strings.TrimPrefix(parts[len(parts)-1].(string), ":iam::aws:policy/"))
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s has managed policies %v, want %v", role, got, want)
	}
}

// checkNag fails on any error or warning cdk-nag left on the stacks.
func checkNag(t *testing.T, stacks ...awscdk.Stack) {
	t.Helper()
	for _, st := range stacks {
		an := assertions.Annotations_FromStack(st)
		for _, m := range *an.FindError(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("%s: %v", *m.Id, m.Entry.Data)
		}
		for _, m := range *an.FindWarning(jsii.String("*"), assertions.Match_AnyValue()) {
			t.Errorf("warning %s: %v", *m.Id, m.Entry.Data)
		}
	}
}

func deniesPlainHTTP(tpl template, bucket string) bool {
	for _, p := range tpl.resources("AWS::S3::BucketPolicy") {
		if asJSON(props(p)["Bucket"]) != asJSON(ref(bucket)) {
			continue
		}
		for _, st := range listOf(props(p)["PolicyDocument"].(map[string]any)["Statement"]) {
			st := st.(map[string]any)
			if st["Effect"] == "Deny" && asJSON(st["Condition"]) == `{"Bool":{"aws:SecureTransport":"false"}}` && asJSON(st["Action"]) == `"s3:*"` {
				return true
			}
		}
	}
	return false
}

// subnetRefs are the Refs of the subnets whose logical IDs start with prefix.
func subnetRefs(tpl template, prefix string) []any {
	var ids []string
	for id := range tpl.resources("AWS::EC2::Subnet") {
		if strings.HasPrefix(id, prefix) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var refs []any
	for _, id := range ids {
		refs = append(refs, ref(id))
	}
	return refs
}

// userData renders an instance's user data with each CloudFormation value
// written as <Ref X> or <GetAtt X.Y>.
func userData(p map[string]any) string {
	parts := p["UserData"].(map[string]any)["Fn::Base64"].(map[string]any)["Fn::Join"].([]any)[1].([]any)
	var b strings.Builder
	for _, part := range parts {
		switch v := part.(type) {
		case string:
			b.WriteString(v)
		case map[string]any:
			if r, ok := v["Ref"]; ok {
				fmt.Fprintf(&b, "<Ref %s>", r)
			} else if g, ok := v["Fn::GetAtt"].([]any); ok {
				fmt.Fprintf(&b, "<GetAtt %s.%s>", g[0], g[1])
			} else {
				fmt.Fprintf(&b, "<%s>", asJSON(v))
			}
		}
	}
	return b.String()
}

func listOf(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	default:
		return []any{v}
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
