// The guize extension: starts `guize lsp` (the language server) for .rule files.
// Highlighting comes from the TextMate grammar; everything else from the server.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("guize");
  const command = config.get("server.command", "guize");
  const args = config.get("server.args", ["lsp"]);
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "guize" }, { scheme: "untitled", language: "guize" }],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.rule") },
  };
  client = new LanguageClient("guize", "guize 规则", serverOptions, clientOptions);
  client.start().catch((err) => {
    vscode.window.showErrorMessage(
      `无法启动 guize 语言服务器（${command} ${args.join(" ")}）：${err.message}。` +
        "请安装 guize（pip install '.[lsp]'），或在设置 guize.server.command 中填写 guize 的完整路径。"
    );
  });
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
