package io.dynamobackup.operator; public class Main { public static void main(String[] a){} }
