"""The language server (`guize lsp`): diagnostics, hovers, navigation, completion, outline,
rename, formatting and semantic highlighting for .rule files in any LSP editor.

One module per role: scan (a forgiving lexical scan), analysis (what the editor asks of one
file), server (the pygls wiring, the only module that needs pygls).
"""
