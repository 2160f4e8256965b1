//! Bracket-style form encoding (`metadata[order]=6735`, `expand[]=customer`,
//! `items[0][price]=price_1`): written by the wire work of issue 2.
