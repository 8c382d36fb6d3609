import { join } from 'node:path';
import * as ts from 'typescript';
import { type Finding, finding } from '../checks/finding';
import { type K8sObject, objectRef } from '../manifest';
import { validateCustomResource } from './crd-schemas';
import { KNOWN_KINDS } from './kinds';

const CHECK = 'schema';

interface AjvLikeError {
  instancePath?: string;
  message?: string;
}

function describeAjvError(error: AjvLikeError): string {
  const at = error.instancePath ? error.instancePath.slice(1).replace(/\//g, '.') : '(root)';
  return `${at} ${error.message ?? 'is invalid'}`;
}

/**
 * Required fields, types, formats and enums: each object against the JSON schema of its kind
 * (kubernetes-models, generated from the Kubernetes OpenAPI; Strimzi's custom resources against the
 * vendored CRDs' schemas). An unknown kind is a finding too.
 */
export function validateAgainstSchemas(objects: readonly K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const object of objects) {
    const known = KNOWN_KINDS.get(`${object.apiVersion} ${object.kind}`);
    const custom = known ? undefined : validateCustomResource(object.apiVersion, object.kind, object);
    if (custom) {
      findings.push(...custom.errors.map((message) => finding(CHECK, objectRef(object), message)));
      continue;
    }
    if (!known) {
      findings.push(
        finding(
          CHECK,
          objectRef(object),
          `no schema for ${object.apiVersion} ${object.kind} (add it to schema/kinds.ts)`,
        ),
      );
      continue;
    }
    try {
      new known.model(structuredClone(object) as never).validate();
    } catch (err) {
      const errors = (err as { errors?: AjvLikeError[] }).errors;
      const messages =
        Array.isArray(errors) && errors.length > 0 ? errors.map(describeAjvError) : [(err as Error).message];
      for (const message of messages) findings.push(finding(CHECK, objectRef(object), message));
    }
  }
  return findings;
}

/** The JSON path of the innermost object-literal property or array element at `pos`. */
function pathAt(node: ts.Node, pos: number, path: string[]): string[] {
  if (ts.isObjectLiteralExpression(node)) {
    for (const property of node.properties) {
      if (pos >= property.getStart() && pos < property.getEnd() && ts.isPropertyAssignment(property)) {
        const name = ts.isStringLiteral(property.name) || ts.isIdentifier(property.name) ? property.name.text : '?';
        return pathAt(property.initializer, pos, [...path, name]);
      }
    }
  } else if (ts.isArrayLiteralExpression(node)) {
    const i = node.elements.findIndex((e) => pos >= e.getStart() && pos < e.getEnd());
    if (i >= 0) return pathAt(node.elements[i], pos, [...path, String(i)]);
  }
  return path;
}

/**
 * Unknown fields and wrong types, which the JSON schemas let through (they allow additional properties):
 * every object is type-checked, in memory, as an object literal of its kubernetes-models interface, so
 * TypeScript's excess-property check catches `readinesProbe` or `intervall`. TypeScript reports the first
 * problem of each object; fix it and run again to see the next.
 */
export function checkFieldsWithTypes(objects: readonly K8sObject[], workspaceRoot: string): Finding[] {
  const fileName = join(workspaceRoot, 'tools', 'deploy-check', '__rendered_manifests__.ts');
  const imports = new Map<string, string>();
  const lines: string[] = [];
  const lineOf: (K8sObject | undefined)[] = [];
  for (const object of objects) {
    const known = KNOWN_KINDS.get(`${object.apiVersion} ${object.kind}`);
    if (!known) continue;
    const alias = `T${imports.size}`;
    if (!imports.has(known.module)) imports.set(known.module, alias);
    lineOf.push(object);
    lines.push(
      `export const o${lines.length}: ${known.typeName}_${imports.get(known.module)!} = ${JSON.stringify(object)};`,
    );
  }
  const header = [...imports].map(([module, alias]) => {
    const typeName = KNOWN_KINDS_BY_MODULE.get(module)!;
    return `import type { ${typeName} as ${typeName}_${alias} } from '${module}';`;
  });
  const source = [...header, ...lines].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.getSourceFile = (name, languageVersion, ...rest) => {
    if (name === fileName) return ts.createSourceFile(name, source, languageVersion, true);
    let parsed = PARSED_DECLARATIONS.get(name);
    if (!parsed) {
      parsed = getSourceFile(name, languageVersion, ...rest);
      if (parsed) PARSED_DECLARATIONS.set(name, parsed);
    }
    return parsed;
  };
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName)!;
  const findings: Finding[] = [];
  for (const diagnostic of ts.getPreEmitDiagnostics(program, sourceFile)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ').replace(/\s+/g, ' ');
    if (diagnostic.file !== sourceFile || diagnostic.start === undefined) {
      findings.push(finding(CHECK, 'type check', message));
      continue;
    }
    const line = sourceFile.getLineAndCharacterOfPosition(diagnostic.start).line - header.length;
    const object = lineOf[line];
    const statement = sourceFile.statements[header.length + line];
    let path: string[] = [];
    if (statement && ts.isVariableStatement(statement)) {
      const initializer = statement.declarationList.declarations[0]?.initializer;
      if (initializer) path = pathAt(initializer, diagnostic.start, []);
    }
    const short = message.length > 300 ? `${message.slice(0, 300)}…` : message;
    findings.push(finding(CHECK, object ? objectRef(object) : 'type check', `${path.join('.') || '(root)'}: ${short}`));
  }
  return findings;
}

/** Parsed .d.ts files (the TypeScript libs and kubernetes-models) are reused across runs in one process. */
const PARSED_DECLARATIONS = new Map<string, ts.SourceFile>();

const KNOWN_KINDS_BY_MODULE: ReadonlyMap<string, string> = new Map(
  [...KNOWN_KINDS.values()].map((k) => [k.module, k.typeName]),
);
